import Testing

@testable import RaveboxCore

/// `usb_root`: the folder USB sticks are mounted in, each stick a music folder.
@Suite struct USBRootConfigurationTests {
    private func resolve(
        env: [String: String] = [:], files: [String: String] = [:], defaultMode: BoxConfiguration.Mode = .desktop
    ) throws(ConfigurationError) -> BoxConfiguration {
        try BoxConfiguration.resolve(
            flags: ConfigurationLayer(), environment: env, readFile: { files[$0] }, defaultMode: defaultMode)
    }

    @Test func boxWatchesMediaRaveboxAndDesktopNothing() throws {
        #expect(try resolve(defaultMode: .box).usbRoot == "/media/ravebox")
        #expect(try resolve(defaultMode: .desktop).usbRoot == nil)
    }

    @Test func fileAndEnvironmentSetIt() throws {
        let file = try resolve(files: ["./ravebox.yaml": "usb_root: /mnt/sticks\n"])
        #expect(file.usbRoot == "/mnt/sticks")
        let env = try resolve(
            env: ["RAVEBOX_USB_ROOT": "/run/media"], files: ["./ravebox.yaml": "usb_root: /mnt/sticks\n"])
        #expect(env.usbRoot == "/run/media", "the environment wins over the file")
        #expect(ConfigurationLayer.yamlKeys.contains("usb_root"))
    }

    @Test(arguments: ["relative/sticks", ""])
    func relativePathIsRejectedWithTheKeyAndSource(value: String) {
        #expect {
            try resolve(env: ["RAVEBOX_USB_ROOT": value])
        } throws: { error in
            let message = "\(error)"
            return message.contains("usb_root") && message.contains("RAVEBOX_USB_ROOT")
                && message.contains("absolute path")
        }
    }
}
