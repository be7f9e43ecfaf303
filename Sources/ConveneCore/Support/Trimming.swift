extension StringProtocol {
    /// The text without blank space at either end: what Foundation's `trimmingCharacters(in: .whitespaces)` gives
    /// (tab, the space separators and the zero width space), or with `newlines` also line breaks (`.whitespacesAndNewlines`).
    ///
    /// Native and allocation-free when nothing needs trimming, the common case: rendering calls it several times for
    /// every message, where Foundation's version bridges through NSString.
    func trimmingBlanks(newlines: Bool = false) -> String {
        let scalars = unicodeScalars
        func isBlank(_ scalar: Unicode.Scalar) -> Bool {
            switch scalar.value {
            case 0x20, 0x09: return true
            case 0x0A...0x0D, 0x85, 0x2028, 0x2029: return newlines
            case 0..<0x80: return false
            case 0x200B: return true  // zero width space: Foundation's sets include it
            default: return scalar.properties.generalCategory == .spaceSeparator
            }
        }
        guard let start = scalars.firstIndex(where: { !isBlank($0) }) else { return "" }
        let end = scalars.lastIndex(where: { !isBlank($0) })!
        if start == scalars.startIndex && scalars.index(after: end) == scalars.endIndex, let whole = self as? String {
            return whole
        }
        return String(String.UnicodeScalarView(scalars[start...end]))
    }
}
