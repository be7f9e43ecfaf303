import Testing

@testable import ConveneCore

struct DiagnosticTests {
    @Test func diagnosticPrintsCompilerStyleWithHint() {
        let d = Diagnostic(
            file: "convene.yaml", line: 3, column: 5, message: "unknown key 'tiemzone'",
            hint: "did you mean 'timezone'?")
        #expect(d.description == "convene.yaml:3:5: error: unknown key 'tiemzone'\n    hint: did you mean 'timezone'?")
    }
}
