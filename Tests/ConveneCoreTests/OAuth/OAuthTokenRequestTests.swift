import ConveneCore
import Testing

/// The client-credentials form body, as the endpoint will decode it.
struct OAuthTokenRequestTests {
    @Test(arguments: [
        ("plain", "plain"), ("a b", "a+b"), ("a+b", "a%2Bb"), ("x/y=z", "x%2Fy%3Dz"), ("Zq8~s.-_*", "Zq8%7Es.-_*"),
        ("100%&more", "100%25%26more"), ("é", "%C3%A9"),
        (
            "https://outlook.office365.com/.default",
            "https%3A%2F%2Foutlook.office365.com%2F.default"
        ), ("", ""),
    ])
    func valuesAreFormURLEncoded(value: String, encoded: String) {
        #expect(OAuthTokenRequest.formEncoded(value) == encoded)
    }

    @Test func theBodyCarriesTheGrantClientSecretAndScope() {
        let request = OAuthTokenRequest(
            clientID: "00000000-0000-0000-0000-000000000000", clientSecret: "a+b/c=~d",
            scope: "https://outlook.office365.com/.default")
        #expect(
            request.body
                == "grant_type=client_credentials&client_id=00000000-0000-0000-0000-000000000000"
                + "&client_secret=a%2Bb%2Fc%3D%7Ed&scope=https%3A%2F%2Foutlook.office365.com%2F.default")
        #expect(!"\(request)".contains("a+b/c=~d"))
        #expect(!String(reflecting: request).contains("a+b/c=~d"))
    }
}
