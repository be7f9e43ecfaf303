/// RFC 5545 content-line primitives: value escaping, parameter quoting and octet folding.
///
/// Every value reaching an iCalendar line passes through here, so no control character from a user
/// file can end a line early and start a property of its own.
enum ICalendarText {
    /// The longest line in octets, excluding CRLF (RFC 5545 §3.1).
    static let maximumLineOctets = 75

    /// Escapes a TEXT value: `\\`, `\;`, `\,`, and every line break (CRLF, CR, LF, U+2028, U+2029)
    /// as `\n`. Other control characters are removed; TAB is kept (it is a TSAFE-CHAR).
    static func text(_ value: String) -> String {
        var out = String.UnicodeScalarView()
        var previousWasCR = false
        for scalar in value.unicodeScalars {
            defer { previousWasCR = scalar == "\r" }
            switch scalar {
            case "\n" where previousWasCR:
                continue  // the CR already produced the \n for this CRLF
            case "\r", "\n", "\u{2028}", "\u{2029}":
                out.append(contentsOf: #"\n"#.unicodeScalars)
            case "\\":
                out.append(contentsOf: #"\\"#.unicodeScalars)
            case ";":
                out.append(contentsOf: #"\;"#.unicodeScalars)
            case ",":
                out.append(contentsOf: #"\,"#.unicodeScalars)
            case "\t":
                out.append(scalar)
            default:
                if !isControl(scalar) { out.append(scalar) }
            }
        }
        return String(out)
    }

    /// A parameter value: RFC 6868 caret encoding for `^`, `"` and line breaks, other control
    /// characters dropped, and double quotes when the value contains `:`, `;` or `,`.
    static func parameter(_ value: String) -> String {
        // Most names need nothing: one byte scan (multi-byte characters take the full path for U+2028/9 and C1).
        if value.utf8.allSatisfy({ $0 >= 0x20 && $0 < 0x7F && !"^\":;,".utf8.contains($0) }) { return value }
        var out = String.UnicodeScalarView()
        var previousWasCR = false
        var needsQuotes = false
        for scalar in value.unicodeScalars {
            defer { previousWasCR = scalar == "\r" }
            switch scalar {
            case "\n" where previousWasCR:
                continue
            case "\r", "\n", "\u{2028}", "\u{2029}":
                out.append(contentsOf: "^n".unicodeScalars)
            case "^":
                out.append(contentsOf: "^^".unicodeScalars)
            case "\"":
                out.append(contentsOf: "^'".unicodeScalars)
            case "\t":
                out.append(" ")  // SAFE-CHAR allows it, but parsers disagree; a space reads the same
            case ":", ";", ",":
                needsQuotes = true
                out.append(scalar)
            default:
                if !isControl(scalar) { out.append(scalar) }
            }
        }
        return needsQuotes ? "\"" + String(out) + "\"" : String(out)
    }

    /// A URI value (URL, `mailto:`): no escaping exists for URIs, so control characters are dropped
    /// and spaces percent-encoded, which keeps the line intact and the URI valid.
    static func uri(_ value: String) -> String {
        if value.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) { return value }
        var out = String.UnicodeScalarView()
        for scalar in value.unicodeScalars {
            if scalar == " " {
                out.append(contentsOf: "%20".unicodeScalars)
            } else if !isControl(scalar) && scalar != "\u{2028}" && scalar != "\u{2029}" {
                out.append(scalar)
            }
        }
        return String(out)
    }

    /// C0 controls, DEL and C1 controls: none of them may appear raw in a content line.
    static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value)
    }

    /// Appends `line` to `output` folded at 75 octets (CRLF + one space), never inside a UTF-8
    /// sequence and never leaving an empty continuation line, then the terminating CRLF.
    static func appendFolded(_ line: String, to output: inout [UInt8]) {
        var octets = 0
        for byte in line.utf8 {
            // A lead byte (not 10xxxxxx) starts a character: fold before it if the whole character would not fit.
            if byte & 0xC0 != 0x80 && octets + width(lead: byte) > maximumLineOctets {
                output.append(contentsOf: [13, 10, 32])
                octets = 1
            }
            output.append(byte)
            octets += 1
        }
        output.append(contentsOf: [13, 10])
    }

    /// The length of the UTF-8 sequence a lead byte starts.
    private static func width(lead: UInt8) -> Int {
        lead < 0x80 ? 1 : lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : 2
    }
}
