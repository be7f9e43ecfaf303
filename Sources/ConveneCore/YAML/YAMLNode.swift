/// A node of the parsed rules file with where it starts.
///
/// The rules file is a strict subset of YAML in which every scalar is a string: typing (numbers,
/// booleans, times) is the schema's job, so `no`, `0777` and `1.10` reach it exactly as written.
public struct YAMLNode: Sendable, Hashable {
    /// What a node holds: a string, an ordered list of nodes, or an ordered list of key/value pairs.
    public enum Value: Sendable, Hashable {
        case scalar(String)
        case sequence([YAMLNode])
        case mapping([YAMLPair])  // in file order; keys unique (duplicates are an error)
    }

    /// How a scalar was written. The schema needs it for one case: the line break that ends a `>` or `|`
    /// block is the block's syntax, so a one-line field may drop it, while a `"\n"` in quotes is the admin's.
    public enum Style: Sendable, Hashable {
        /// Plain or quoted, and every list or mapping.
        case flow
        /// A `|` block scalar.
        case literal
        /// A `>` block scalar.
        case folded
    }

    /// The node's content; every scalar is the text as written, typed later by the schema.
    public var value: Value
    /// 1-based line/column of the node's first character (for an empty scalar: where the value would be,
    /// e.g. just after `key:`).
    public var location: SourceLocation
    /// How the scalar was written; `.flow` for lists and mappings.
    public var style: Style

    /// Defaults to `.flow`, what every node but a `|` or `>` block scalar is.
    public init(value: Value, location: SourceLocation, style: Style = .flow) {
        self.value = value
        self.location = location
        self.style = style
    }
}

/// One `key: value` entry of a block mapping, with where its key starts.
public struct YAMLPair: Sendable, Hashable {
    /// The key's text; complex keys are refused, so a key is always a scalar.
    public var key: String
    /// Where the key starts, for errors about the key itself (unknown, duplicate).
    public var keyLocation: SourceLocation
    /// The value; an absent value (`key:` alone) is an empty scalar located just after the colon.
    public var value: YAMLNode

    /// Takes the parts as given; refusing duplicate keys is the parser's job.
    public init(key: String, keyLocation: SourceLocation, value: YAMLNode) {
        self.key = key
        self.keyLocation = keyLocation
        self.value = value
    }
}

extension YAMLNode {
    /// Plain JSON-compatible value (String, [Any], [String: Any]) for tests and `validate --print`.
    public var jsonObject: Any {
        switch value {
        case .scalar(let text):
            return text
        case .sequence(let items):
            return items.map(\.jsonObject)
        case .mapping(let pairs):
            var object: [String: Any] = [:]
            for pair in pairs {
                object[pair.key] = pair.value.jsonObject
            }
            return object
        }
    }
}
