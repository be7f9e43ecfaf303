extension ConfigParser {
    // MARK: secrets, shared by smtp, smtp.oauth2 and replies

    /// Refuses a secret written into the rules file itself (`key`, e.g. `password`), naming the two places it may
    /// come from instead. The value is read (so it is not also reported as an unknown key) and never repeated.
    static func refuseSecretInFile(
        _ map: MappingReader, key: String, what: String, credentialKey: String, fileKey: String, _ reader: SchemaReader
    ) {
        guard let location = map.keyLocation(key) else { return }
        _ = map.value(key)
        reader.error(
            "\(what) in the rules file is refused", at: location,
            hint: "use '\(credentialKey): NAME' (systemd LoadCredential) or '\(fileKey): PATH'")
    }

    /// Reports a secret given both as a systemd credential and as a file.
    static func refuseBothSecretSources(
        _ map: MappingReader, credentialKey: String, fileKey: String, _ reader: SchemaReader
    ) {
        guard map.has(credentialKey), map.has(fileKey), let location = map.keyLocation(fileKey) else { return }
        reader.error("give either '\(credentialKey)' or '\(fileKey)', not both", at: location)
    }
}
