import ConveneCore
import ConveneService

print(libcurlVersion())
