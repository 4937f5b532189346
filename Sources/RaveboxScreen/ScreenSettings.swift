/// The screen's own settings (the box settings leave screens to this module).
public struct ScreenSettings: Sendable, Equatable, Codable {
    /// The screen program shown.
    public var layout: ScreenLayout
    /// Frames per second the engine renders and presents; 1...60.
    public var framesPerSecond: Int
    /// Lines rendered before scaling up to the display (the width follows the display's aspect ratio);
    /// `nil` renders at the display's own size. 360 holds 30 fps at 1080p on a Pi-class CPU.
    public var renderHeight: Int?
    /// The DRM connector to use, by name as the kernel reports it (`HDMI-A-1`); `nil` for the first connected.
    public var connector: String?
    /// The mode as `WIDTHxHEIGHT` or `WIDTHxHEIGHT@HZ`; `nil` for the display's preferred mode.
    public var mode: String?

    /// Settings with the defaults: bars, 30 fps, 360 rendered lines, first connector, preferred mode.
    public init(
        layout: ScreenLayout = .bars, framesPerSecond: Int = 30, renderHeight: Int? = 360, connector: String? = nil,
        mode: String? = nil
    ) {
        self.layout = layout
        self.framesPerSecond = framesPerSecond
        self.renderHeight = renderHeight
        self.connector = connector
        self.mode = mode
    }

    /// Reasons settings are refused, each a sentence for the settings page.
    public enum Problem: Error, Equatable, CustomStringConvertible {
        case framesPerSecond(Int)
        case renderHeight(Int)
        case mode(String)

        /// The sentence shown to the admin.
        public var description: String {
            switch self {
            case .framesPerSecond(let value): "Frame rate \(value) is outside 1...60 frames per second."
            case .renderHeight(let value): "Render height \(value) is outside 90...2160 lines."
            case .mode(let value): "Mode \"\(value)\" is not WIDTHxHEIGHT or WIDTHxHEIGHT@HZ (e.g. 1920x1080@60)."
            }
        }
    }

    /// Checks the ranges and the mode's syntax.
    public func validate() throws(Problem) {
        guard (1...60).contains(framesPerSecond) else { throw .framesPerSecond(framesPerSecond) }
        if let renderHeight, !(90...2160).contains(renderHeight) { throw .renderHeight(renderHeight) }
        if let mode, Self.parseMode(mode) == nil { throw .mode(mode) }
    }

    /// `"1920x1080@60"` as (1920, 1080, 60), `"1280x720"` as (1280, 720, nil); `nil` when malformed.
    public static func parseMode(_ text: String) -> (width: Int, height: Int, refresh: Int?)? {
        let parts = text.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count <= 2 else { return nil }
        let size = parts[0].split(separator: "x", omittingEmptySubsequences: false)
        guard size.count == 2, let width = Int(size[0]), let height = Int(size[1]), width > 0, height > 0 else {
            return nil
        }
        guard parts.count == 2 else { return (width, height, nil) }
        guard let refresh = Int(parts[1]), refresh > 0 else { return nil }
        return (width, height, refresh)
    }

    /// The internal size for a display of `width`×`height`: `renderHeight` lines (never more than the
    /// display has) and the width keeping the display's aspect ratio.
    public func renderSize(forDisplayWidth width: Int, height: Int) -> (width: Int, height: Int) {
        guard let renderHeight, renderHeight < height else { return (width, height) }
        return (max(1, (width * renderHeight + height / 2) / height), renderHeight)
    }
}
