import Testing

@testable import ConveneCore

struct PersonTests {
    @Test(arguments: [
        ("ada@x.gov.uk", "ada@x.gov.uk"),
        ("Ada.Lovelace@X.gov.uk", "ada.lovelace@x.gov.uk"),
        ("ÉLODIE@x.gov.uk", "élodie@x.gov.uk"),
    ])
    func theKeyIsTheLowerCasedAddress(email: String, key: String) {
        #expect(Person(email: email, name: "Ada", grade: "DG").key == key)
    }

    @Test(arguments: [
        ("Ada Lovelace", "Ada"),
        ("  Ada  Lovelace", "Ada"),
        ("Ada", "Ada"),
        ("   ", "   "),
    ])
    func theFirstNameDefaultsToTheFirstWordOfTheName(name: String, firstName: String) {
        #expect(Person(email: "a@x.uk", name: name, grade: "DG").firstName == firstName)
        #expect(Person(email: "a@x.uk", name: name, firstName: "Augusta", grade: "DG").firstName == "Augusta")
    }
}
