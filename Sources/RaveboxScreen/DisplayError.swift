/// Why the DRM/KMS display could not be used. Each case names the device and what to check.
public enum DisplayError: Error, Equatable, CustomStringConvertible {
    /// No `card*` node in the directory: no KMS driver is loaded.
    case noDevice(directory: String)
    /// `open` failed with this errno.
    case cannotOpen(path: String, errno: Int32)
    /// The node is not a DRM device, or its driver does no modesetting.
    case notKMS(path: String)
    /// Another program (a desktop, Plymouth, a second ravebox) is DRM master.
    case notMaster(path: String, errno: Int32)
    /// No connector reports a connected screen; `connectors` lists what was looked at.
    case noConnectedScreen(path: String, connectors: [String])
    /// The configured connector does not exist.
    case connectorNotFound(path: String, name: String, available: [String])
    /// The screen offers no mode matching the configured one.
    case modeNotFound(path: String, connector: String, requested: String, available: [String])
    /// No CRTC can drive the connector.
    case noCRTC(path: String, connector: String)
    /// Creating, registering or mapping a dumb buffer failed at `step`.
    case buffer(path: String, step: String, errno: Int32)
    /// Setting the mode or flipping the page failed.
    case output(path: String, step: String, errno: Int32)
    /// `present` got a frame of the wrong size.
    case frameSize(expected: Int, got: Int)

    /// One sentence for the log: device, failure, what to check.
    public var description: String {
        switch self {
        case .noDevice(let directory):
            "No DRM device in \(directory): enable the KMS driver (dtoverlay=vc4-kms-v3d in config.txt) "
                + "or attach a screen; the screen is rendered for the web mirror only."
        case .cannotOpen(let path, let errno):
            "\(path) cannot be opened (errno \(errno)): check that it exists and that the ravebox user "
                + "is in the video group (udev/ rules)."
        case .notKMS(let path):
            "\(path) is not a DRM device with modesetting: check the path and the kernel driver."
        case .notMaster(let path, let errno):
            "\(path): cannot become DRM master (errno \(errno)): another program (a desktop, Plymouth, "
                + "a second ravebox) holds the screen; stop it."
        case .noConnectedScreen(let path, let connectors):
            "\(path): no screen connected (connectors: \(connectors.joined(separator: ", "))): "
                + "check the cable and that the screen is on."
        case .connectorNotFound(let path, let name, let available):
            "\(path) has no connector \(name) (available: \(available.joined(separator: ", "))): "
                + "fix the screen connector setting."
        case .modeNotFound(let path, let connector, let requested, let available):
            "\(path) \(connector): the screen offers no mode \(requested) (available: "
                + "\(available.joined(separator: ", "))): fix the screen mode setting."
        case .noCRTC(let path, let connector):
            "\(path) \(connector): no display controller (CRTC) can drive this connector."
        case .buffer(let path, let step, let errno):
            "\(path): \(step) failed (errno \(errno)): the driver may not support dumb buffers or is out of memory."
        case .output(let path, let step, let errno):
            "\(path): \(step) failed (errno \(errno)): the screen may have been unplugged or taken by another program."
        case .frameSize(let expected, let got):
            "Frame has \(got) pixels, the display needs \(expected)."
        }
    }
}
