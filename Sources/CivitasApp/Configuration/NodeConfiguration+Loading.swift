import CivitasCore
import Configuration
import Foundation
import Logging
import Storage
import SystemPackage
import Trust

extension NodeConfiguration {
    /// Reads and validates the configuration from command-line flags, the environment and an optional JSON file.
    ///
    /// - Parameters:
    ///   - flags: values given on the command line, by ``Setting/key``.
    ///   - environment: the process environment.
    ///   - configFile: a config file given on the command line (otherwise `CIVITAS_CONFIG_FILE`).
    ///   - defaults: the values used where nothing is set.
    /// - Throws: ``ConfigurationError`` naming the first setting that is unknown or invalid.
    public static func load(
        flags: [String: String], environment: [String: String], configFile: String? = nil,
        defaults: NodeConfiguration = NodeConfiguration()
    ) async throws(ConfigurationError) -> NodeConfiguration {
        let known = Set(Setting.all.map(\.environment) + [Setting.configFileEnvironment])
        for name in environment.keys.sorted()
        where name.hasPrefix("CIVITAS_") && !name.hasPrefix(Setting.testPrefix) && !known.contains(name) {
            throw ConfigurationError(
                setting: name,
                reason: "unknown setting; known settings are " + Setting.all.map(\.environment).joined(separator: ", "))
        }
        var providers: [any ConfigProvider] = []
        providers.append(Self.stringProvider(flags.filter { !$0.value.isEmpty }, name: "command line"))
        var fromEnvironment: [String: String] = [:]
        for setting in Setting.all {
            if let value = environment[setting.environment], !value.isEmpty { fromEnvironment[setting.key] = value }
        }
        providers.append(Self.stringProvider(fromEnvironment, name: "environment"))
        if let path = configFile ?? environment[Setting.configFileEnvironment], !path.isEmpty {
            try checkFileKeys(path)
            do {
                providers.append(try await FileProvider<JSONSnapshot>(filePath: FilePath(path)))
            } catch {
                throw ConfigurationError(setting: "config file \(path)", reason: "cannot be read: \(error)")
            }
        }
        let reader = ConfigReader(providers: providers)
        return try resolve(reader, defaults: defaults)
    }

    private static func stringProvider(_ values: [String: String], name: String) -> EnvironmentVariablesProvider {
        var variables: [String: String] = [:]
        for setting in Setting.all {
            if let value = values[setting.key] { variables[setting.providerName] = value }
        }
        let secrets = Set(Setting.all.filter(\.isSecret).map(\.providerName))
        return EnvironmentVariablesProvider(
            environmentVariables: variables, secretsSpecifier: .specific(secrets))
    }

    private static func resolve(
        _ reader: ConfigReader, defaults: NodeConfiguration
    ) throws(ConfigurationError)
        -> NodeConfiguration
    {
        var configuration = defaults
        func string(_ setting: Setting) -> String? {
            reader.string(forKey: ConfigKey(setting.key), isSecret: setting.isSecret)
        }
        func integer(_ setting: Setting) throws(ConfigurationError) -> Int? {
            if let value = reader.int(forKey: ConfigKey(setting.key)) { return value }
            if let text = string(setting) {
                throw ConfigurationError(
                    setting: setting.key,
                    reason: "\"\(text.prefix(20))\" is not a whole number (set by \(setting.spelledOut))")
            }
            return nil
        }
        if let host = string(.host) {
            guard !host.isEmpty, host.utf8.count <= 253, !host.contains(" ") else {
                throw ConfigurationError(setting: Setting.host.key, reason: "is not a host name or address")
            }
            configuration.host = host
        }
        if let port = try integer(.port) {
            guard (1...65535).contains(port) else {
                throw ConfigurationError(
                    setting: "port", reason: "\(port) is not a TCP port (1-65535); set by \(Setting.port.spelledOut)")
            }
            configuration.port = port
        }
        if let url = string(.publicURL) {
            guard let components = URLComponents(string: url), let scheme = components.scheme,
                scheme == "http" || scheme == "https", components.host?.isEmpty == false
            else {
                throw ConfigurationError(
                    setting: Setting.publicURL.key, reason: "must be an http:// or https:// URL with a host")
            }
            configuration.servedOverTLS = scheme == "https"
            configuration.publicURL = url
        }
        if let size = try integer(.maximumBodySize) {
            guard (1024...(1 << 30)).contains(size) else {
                throw ConfigurationError(
                    setting: Setting.maximumBodySize.key, reason: "must be between 1024 and 1073741824 bytes")
            }
            configuration.maximumBodySize = size
        }
        if let directory = string(.dataDirectory) {
            guard !directory.isEmpty else {
                throw ConfigurationError(setting: Setting.dataDirectory.key, reason: "must not be empty")
            }
            configuration.dataDirectory = directory
        }
        if let url = string(.databaseURL) {
            do {
                configuration.database = .postgres(try PostgresURL(url))
            } catch {
                throw ConfigurationError(setting: "database.url", reason: error.message)
            }
        }
        if let key = string(.keyEncryptionKey) {
            guard (try? KeyEncryptionKey(base64: key)) != nil else {
                throw ConfigurationError(setting: Setting.keyEncryptionKey.key, reason: "must be 32 bytes in base64")
            }
            configuration.keyEncryptionKey = key
        }
        let module = string(.pkcs11Module)
        let token = string(.pkcs11Token)
        let pin = string(.pkcs11PIN)
        if module != nil || token != nil || pin != nil {
            guard let module, let token, let pin else {
                throw ConfigurationError(
                    setting: Setting.pkcs11Module.key,
                    reason:
                        "a PKCS#11 key store needs all of trust.pkcs11_module, trust.pkcs11_token and trust.pkcs11_pin")
            }
            configuration.pkcs11 = (module, token, pin)
        }
        if let level = string(.logLevel) {
            guard let parsed = Logger.Level(rawValue: level.lowercased()) else {
                throw ConfigurationError(
                    setting: Setting.logLevel.key,
                    reason: "must be one of " + Logger.Level.allCases.map(\.rawValue).joined(separator: ", "))
            }
            configuration.logLevel = parsed
        }
        if let format = string(.logFormat) {
            guard let parsed = LogFormat(rawValue: format.lowercased()) else {
                throw ConfigurationError(setting: Setting.logFormat.key, reason: "must be text or json")
            }
            configuration.logFormat = parsed
        }
        if let node = string(.exchangeNode) {
            guard (try? XRoadClientIdentifier(node))?.isSubsystem == true else {
                throw ConfigurationError(
                    setting: Setting.exchangeNode.key, reason: "must be a node identifier, INSTANCE/CLASS/MEMBER/SERVER"
                )
            }
            configuration.exchange.node = node
        }
        // An http(s) URL with a host, or a configuration error naming the setting.
        func httpURL(_ setting: Setting) throws(ConfigurationError) -> String? {
            guard let url = string(setting) else { return nil }
            guard let components = URLComponents(string: url),
                components.scheme == "http" || components.scheme == "https", components.host?.isEmpty == false
            else {
                throw ConfigurationError(setting: setting.key, reason: "must be an http:// or https:// URL with a host")
            }
            return url
        }
        if let url = try httpURL(.exchangeRegistryURL) { configuration.exchange.registryURL = url }
        if let port = try integer(.exchangePort) {
            guard (1...65535).contains(port) else {
                throw ConfigurationError(
                    setting: Setting.exchangePort.key, reason: "\(port) is not a TCP port (1-65535)")
            }
            configuration.exchange.port = port
        }
        if let url = try httpURL(.exchangeTimeStampingURL) { configuration.exchange.timeStampingURL = url }
        switch (try httpURL(.portalExchangeURL), string(.portalExchangeClient)) {
        case (nil, nil): break
        case (let url?, let client?):
            guard (try? XRoadClientIdentifier(client))?.isSubsystem == true else {
                throw ConfigurationError(
                    setting: Setting.portalExchangeClient.key,
                    reason: "must be a subsystem identifier, INSTANCE/CLASS/MEMBER/SUBSYSTEM")
            }
            configuration.portalExchange = (url, client)
        case (nil, _):
            throw ConfigurationError(
                setting: Setting.portalExchangeURL.key, reason: "is needed with \(Setting.portalExchangeClient.key)")
        case (_, nil):
            throw ConfigurationError(
                setting: Setting.portalExchangeClient.key, reason: "is needed with \(Setting.portalExchangeURL.key)")
        }
        for (setting, range, path) in [
            (Setting.exchangeUnstampedLimit, 1...(30 * 86_400), \NodeConfiguration.exchange.unstampedLimitSeconds),
            (Setting.exchangeTimeStampInterval, 1...86_400, \.exchange.timeStampIntervalSeconds),
            (Setting.exchangeOCSPFreshness, 1...86_400, \.exchange.ocspFreshnessSeconds),
            (Setting.exchangeConfigurationValidity, 10...(30 * 86_400), \.exchange.configurationValiditySeconds),
            (Setting.exchangeMaximumMessageBytes, 1024...(1 << 30), \.exchange.maximumMessageBytes),
        ] {
            if let value = try integer(setting) {
                guard range.contains(value) else {
                    throw ConfigurationError(
                        setting: setting.key, reason: "must be between \(range.lowerBound) and \(range.upperBound)")
                }
                configuration[keyPath: path] = value
            }
        }
        if let blocks = string(.blocks) {
            let names = Set(blocks.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces).lowercased() })
            if names == ["all"] {
                configuration.blocks = nil
            } else {
                let unknown = names.subtracting(NodeBlocks.servable)
                guard unknown.isEmpty, !names.isEmpty else {
                    throw ConfigurationError(
                        setting: Setting.blocks.key,
                        reason: "unknown block \(unknown.sorted().joined(separator: ", ")); this release serves "
                            + (NodeBlocks.servable.sorted() + ["all"]).joined(separator: ", "))
                }
                configuration.blocks = names
            }
        }
        return configuration
    }

    /// Refuses a config file with keys no setting has, naming the first such key.
    static func checkFileKeys(_ path: String) throws(ConfigurationError) {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw ConfigurationError(setting: "config file \(path)", reason: "cannot be read")
        }
        guard let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw ConfigurationError(setting: "config file \(path)", reason: "is not a JSON object")
        }
        let known = Set(Setting.all.map(\.key))
        let sections = Set(known.compactMap { $0.split(separator: ".").first.map(String.init) })
        for section in object.keys.sorted() {
            guard sections.contains(section), let inner = object[section] as? [String: Any] else {
                throw ConfigurationError(
                    setting: section,
                    reason: "unknown key in config file \(path); known keys are "
                        + known.sorted().joined(separator: ", "))
            }
            for key in inner.keys.sorted() where !known.contains("\(section).\(key)") {
                throw ConfigurationError(
                    setting: "\(section).\(key)",
                    reason: "unknown key \(key) in config file \(path); known keys are "
                        + known.sorted().joined(separator: ", "))
            }
        }
    }
}
