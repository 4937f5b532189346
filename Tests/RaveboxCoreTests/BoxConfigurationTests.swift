import Testing

@testable import RaveboxCore

@Suite struct BoxConfigurationTests {
    private func resolve(
        flags: ConfigurationLayer = .init(), env: [String: String] = [:], files: [String: String] = [:],
        defaultMode: BoxConfiguration.Mode = .desktop
    ) throws(ConfigurationError) -> BoxConfiguration {
        try BoxConfiguration.resolve(
            flags: flags, environment: env, readFile: { files[$0] }, defaultMode: defaultMode)
    }

    @Test func desktopDefaultsApplyWhenNothingIsSet() throws {
        let config = try resolve()
        #expect(config.mode == .desktop)
        #expect(config.dataDirectory == "./.ravebox")
        #expect(config.port == 8080)
        #expect(config.audioDevice == "default")
        #expect(config.configFile == "./ravebox.yaml")
        #expect(config.libraries.isEmpty)
    }

    @Test func boxModeReadsTheBootPartitionFile() throws {
        let config = try resolve(
            files: ["/boot/firmware/ravebox.yaml": "port: 81\n"], defaultMode: .box)
        #expect(config.port == 81)
        #expect(config.dataDirectory == "/var/lib/ravebox")
    }

    @Test func layersOverrideInOrderFileEnvironmentFlags() throws {
        let yaml = """
            data: /from/file
            port: 7000
            library: [/music/a, /music/b]
            audio_device: hw:0,0
            """
        let fileOnly = try resolve(files: ["./ravebox.yaml": yaml])
        #expect(fileOnly.port == 7000)
        #expect(fileOnly.libraries == ["/music/a", "/music/b"])
        #expect(fileOnly.audioDevice == "hw:0,0")

        let withEnv = try resolve(
            env: ["RAVEBOX_PORT": "7001", "RAVEBOX_LIBRARY": "/env/one:/env/two"], files: ["./ravebox.yaml": yaml])
        #expect(withEnv.port == 7001)
        #expect(withEnv.libraries == ["/env/one", "/env/two"])
        #expect(withEnv.dataDirectory == "/from/file")

        let withFlags = try resolve(
            flags: ConfigurationLayer(port: 7002, libraries: ["/flag"]), env: ["RAVEBOX_PORT": "7001"],
            files: ["./ravebox.yaml": yaml])
        #expect(withFlags.port == 7002)
        #expect(withFlags.libraries == ["/flag"])
    }

    @Test func theBoxsNameAndWiFiComeFromTheFileWithDefaultsPerMode() throws {
        let desktop = try resolve()
        #expect(desktop.hostname == "localhost")
        #expect(desktop.wifiName == nil)
        let yaml = """
            hostname: Party.Box
            wifi_name: "Garden Party"
            wifi_password: "dance-all-night"
            """
        let configured = try resolve(files: ["./ravebox.yaml": yaml])
        #expect(configured.hostname == "party.box")
        #expect(configured.wifiName == "Garden Party")
        #expect(configured.wifiPassword == "dance-all-night")
        // An empty password means an open network.
        let open = try resolve(env: ["RAVEBOX_WIFI_PASSWORD": ""], files: ["./ravebox.yaml": yaml])
        #expect(open.wifiPassword == nil)
        #expect(BoxConfiguration.defaults(for: .box).hostname == "ravebox.lan")
        // The system's host name on the appliance (avahi: party.local), none for localhost.
        #expect(configured.hostLabel == "party")
        #expect(BoxConfiguration.defaults(for: .box).hostLabel == "ravebox")
        #expect(desktop.hostLabel == nil)
    }

    @Test func audioKeysSetFormatLatencySourceAndPipe() throws {
        let defaults = try resolve()
        #expect(defaults.audioRate == 48_000 && defaults.audioChannels == 2)
        #expect(defaults.audioPeriodMilliseconds == 5 && defaults.audioPeriods == 4)
        #expect(defaults.audioSource == .playback && defaults.snapcastFIFO == nil)
        let yaml = """
            audio_rate: 44100
            audio_channels: 1
            audio_period_ms: 10
            audio_periods: 3
            audio_source: capture
            capture_device: "hw:1,0"
            snapcast_fifo: /tmp/snapfifo
            """
        let configured = try resolve(files: ["./ravebox.yaml": yaml])
        #expect(configured.audioRate == 44_100 && configured.audioChannels == 1)
        #expect(configured.audioPeriodMilliseconds == 10 && configured.audioPeriods == 3)
        #expect(configured.audioSource == .capture && configured.captureDevice == "hw:1,0")
        #expect(configured.snapcastFIFO == "/tmp/snapfifo")
    }

    @Test func configFlagPointsAtAnotherFile() throws {
        let config = try resolve(
            flags: ConfigurationLayer(configFile: "/etc/party.yaml"), files: ["/etc/party.yaml": "port: 9999"])
        #expect(config.port == 9999)
        #expect(config.configFile == "/etc/party.yaml")
    }

    @Test func namedConfigFileThatIsMissingIsAnError() {
        #expect(throws: ConfigurationError.unreadableFile(path: "/nope.yaml", reason: "no such file")) {
            try resolve(env: ["RAVEBOX_CONFIG": "/nope.yaml"])
        }
    }

    @Test(arguments: [
        ("RAVEBOX_PORT", "abc", "port"),
        ("RAVEBOX_PORT", "0", "port"),
        ("RAVEBOX_PORT", "70000", "port"),
        ("RAVEBOX_MODE", "party", "mode"),
        ("RAVEBOX_ADMIN_PASSWORD", "short", "admin_password"),
        ("RAVEBOX_HOSTNAME", "party box", "hostname"),
        ("RAVEBOX_HOSTNAME", "-ravebox.lan", "hostname"),
        ("RAVEBOX_WIFI_NAME", String(repeating: "x", count: 33), "wifi_name"),
        ("RAVEBOX_WIFI_PASSWORD", "short", "wifi_password"),
        ("RAVEBOX_AUDIO_RATE", "1000", "audio_rate"),
        ("RAVEBOX_AUDIO_PERIODS", "1", "audio_periods"),
        ("RAVEBOX_AUDIO_SOURCE", "microphone", "audio_source"),
        ("RAVEBOX_SNAPCAST_FIFO", "relative/fifo", "snapcast_fifo"),
    ])
    func invalidValueNamesKeySourceAndAcceptedValues(variable: String, value: String, key: String) {
        do {
            _ = try resolve(env: [variable: value])
            Issue.record("\(variable)=\(value) was accepted")
        } catch {
            let message = error.description
            #expect(message.contains(key))
            #expect(message.contains(variable))
            #expect(message.contains("expected"))
        }
    }

    @Test func unknownYAMLKeyListsTheAcceptedKeys() {
        do {
            _ = try resolve(files: ["./ravebox.yaml": "prot: 80\n"])
            Issue.record("a misspelt key was accepted")
        } catch {
            #expect(error == .unknownKey(key: "prot", source: "./ravebox.yaml", accepted: ConfigurationLayer.yamlKeys))
            #expect(error.description.contains("audio_device"))
        }
    }

    @Test func malformedYAMLIsReportedWithThePath() {
        do {
            _ = try resolve(files: ["./ravebox.yaml": "port: [1, 2\n"])
            Issue.record("malformed YAML was accepted")
        } catch {
            guard case .malformedFile(let path, _) = error else {
                Issue.record("unexpected error \(error)")
                return
            }
            #expect(path == "./ravebox.yaml")
        }
    }

    /// Finding 11: a syntax error names the line and column, never the line's text, which may hold a password.
    @Test(arguments: [
        "port: 80\nadmin_password: abc: s3cret-value\n",
        "port: 80\nwifi_password: \"s3cret-value\n",
        "port: 80\nwifi_client_password: [s3cret-value\n",
        "port: 80\nadmin_password: firstvalue\nadmin_password: s3cret-value\n",
        "port: 80\nadmin_password: \"s3cret-value\u{7}\"\n",
    ])
    func aSyntaxErrorNamesTheLineButNeverShowsItsText(yaml: String) {
        do {
            _ = try resolve(files: ["./ravebox.yaml": yaml])
            Issue.record("malformed YAML was accepted")
        } catch {
            #expect(!error.description.contains("s3cret"), "\(error)")
            #expect(!"\(String(reflecting: error))".contains("s3cret"), "\(error)")
            #expect(error.description.contains("line "), "\(error)")
            #expect(error.description.contains("./ravebox.yaml"))
        }
    }

    /// An invalid value for a secret key is named, its value never shown, in whatever shape it came.
    @Test(arguments: [
        "admin_password: [s3cret-one, s3cret-two]\n", "wifi_password: {s3cret: value}\n",
        "wifi_client_password: s3cret\n", "admin_password_hash: s3cret-not-a-hash\n",
        "admin_password: [[s3cret]]\n",
    ])
    func anInvalidSecretIsNamedButNeverShown(yaml: String) {
        do {
            _ = try resolve(files: ["./ravebox.yaml": yaml])
            Issue.record("an invalid secret was accepted")
        } catch {
            #expect(!error.description.contains("s3cret"), "\(error)")
            #expect(!"\(String(reflecting: error))".contains("s3cret"), "\(error)")
            #expect(error.description.contains("(hidden)"), "\(error)")
        }
    }

    /// The box's copy of ravebox.yaml on the appliance carries the admin password's bcrypt hash instead of it.
    @Test func anAdminPasswordHashIsOneSettingWithThePassword() throws {
        let hash = "$2b$10$" + String(repeating: "a", count: 22) + String(repeating: "B", count: 31)
        let fromFile = try resolve(files: ["./ravebox.yaml": "admin_password_hash: \"\(hash)\"\n"])
        #expect(fromFile.adminPasswordHash == hash && fromFile.adminPassword == nil)
        let overridden = try resolve(
            env: ["RAVEBOX_ADMIN_PASSWORD": "from-the-environment"],
            files: ["./ravebox.yaml": "admin_password_hash: \"\(hash)\"\n"])
        #expect(overridden.adminPassword == "from-the-environment" && overridden.adminPasswordHash == nil)
    }

    @Test func emptyFileChangesNothing() throws {
        #expect(try resolve(files: ["./ravebox.yaml": ""]) == BoxConfiguration.defaults(for: .desktop))
    }
}
