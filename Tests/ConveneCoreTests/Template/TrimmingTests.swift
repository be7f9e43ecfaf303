import Foundation
import Testing

@testable import ConveneCore

/// Rendering trims values natively; it must trim exactly what Foundation's character sets would.
struct TrimmingTests {
    static let samples = [
        "", " ", "\t", "plain", "  both ends\t", "\u{A0}non-breaking\u{3000}", "\u{2003}em space\u{202F}",
        "\nline breaks\r\n", "\u{85}next line\u{2028}", "\u{2029}", "inner  space kept", "é\u{0301} ", " 🎉",
        "\u{200B}zero width space\u{200B}", "\u{200D}joiner is kept\u{FEFF}", "\u{1680}ogham\u{205F}",
    ]

    @Test(arguments: samples) func trimsWhatFoundationTrims(text: String) {
        #expect(text.trimmingBlanks() == text.trimmingCharacters(in: .whitespaces))
        #expect(text.trimmingBlanks(newlines: true) == text.trimmingCharacters(in: .whitespacesAndNewlines))
        #expect(text[...].trimmingBlanks() == text.trimmingCharacters(in: .whitespaces))
    }
}
