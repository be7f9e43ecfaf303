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

    public var value: Value
    /// 1-based line/column of the node's first character (for an empty scalar: where the value would be,
    /// e.g. just after `key:`).
    public var location: SourceLocation

    public init(value: Value, location: SourceLocation) {
        self.value = value
        self.location = location
    }
}

/// One `key: value` entry of a block mapping, with where its key starts.
public struct YAMLPair: Sendable, Hashable {
    public var key: String
    public var keyLocation: SourceLocation
    public var value: YAMLNode

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
