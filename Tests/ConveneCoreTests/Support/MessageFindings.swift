/// What `check_message.py` reports about one RFC 5322 message.
struct MessageFindings: Decodable {
    struct Address: Decodable, Equatable {
        var name: String
        var address: String
    }
    struct Part: Decodable {
        var type: String
        var params: [String: String]
        var transferEncoding: String?
        var disposition: String?
        var filename: String?
        var headerNames: [String]
        var text: String
        var ical: CalendarFindings?
    }

    var sevenBit: Bool
    var bareLf: Int
    var bareCr: Int
    var nulOrControls: Int
    var endsWithCrlf: Bool
    var maxLine: Int
    var maxHeaderLine: Int
    var maxBodyLine: Int
    /// Top-level header names in order, read from the raw bytes.
    var headerNames: [String]
    var encodedWords: [String]
    var maxEncodedWord: Int
    var encodedWordInQuotes: Bool
    var dotStuffedLines: Int
    var strictError: String?
    var defects: [String]
    var from: [Address]?
    var to: [Address]?
    var cc: [Address]?
    var replyTo: [Address]?
    var subject: String?
    var date: String?
    var messageId: String?
    var mimeVersion: String?
    var autoSubmitted: String?
    var structure: String
    var parts: [Part]
}
