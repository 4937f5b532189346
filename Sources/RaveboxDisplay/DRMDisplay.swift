import CDRM
import Foundation
import Logging
import RaveboxScreen

/// The box's screen through DRM/KMS (libdrm): the first connected connector (or the configured one) in its
/// preferred mode (or the configured one), two dumb buffers shown alternately with page flips on vblank, so
/// a frame never tears. `close()` (or deinit) restores the mode that was there before and drops DRM master.
///
/// Hot-plug: call `reprobe()` about once a second from the render thread; it re-reads the connector, picks
/// the new preferred mode when the screen changed and reports whether the size changed (then make a new
/// `ScreenRenderer` for the new `width`×`height`). While no screen is connected `present` does nothing.
///
/// ```swift
/// guard let display = DRMDisplay.open(settings: settings, logger: logger) else { return }  // logs why not
/// try display.present(frame)
/// ```
public final class DRMDisplay: Display {
    /// The device node, e.g. `/dev/dri/card0`.
    public let devicePath: String
    /// Width of the mode in use.
    public private(set) var width = 0
    /// Height of the mode in use.
    public private(set) var height = 0
    /// The connector in use as the kernel names it (`HDMI-A-1`).
    public private(set) var connectorName = ""
    /// Vertical refresh of the mode in use, in hertz.
    public private(set) var refreshRate = 0
    /// Whether a screen is connected; `present` skips frames while it is not.
    public private(set) var isConnected = false

    private struct DumbBuffer {
        var handle: UInt32 = 0
        var pitch: UInt32 = 0
        var size: UInt64 = 0
        var framebuffer: UInt32 = 0
        var memory: UnsafeMutableRawPointer?
    }

    private var descriptor: Int32
    private let requestedConnector: String?
    private let requestedMode: String?
    private var connectorID: UInt32 = 0
    private var crtcID: UInt32 = 0
    private var mode = drmModeModeInfo()
    private var savedCRTC: UnsafeMutablePointer<drmModeCrtc>?
    private var buffers: [DumbBuffer] = []
    private var shown = 0
    private var modeIsSet = false
    /// Set to 1 while a page flip is pending; the flip handler clears it.
    private let flipPending: UnsafeMutablePointer<Int32>

    /// The `card*` nodes in `directory`, sorted.
    public static func devicePaths(in directory: String = "/dev/dri") -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        return names.filter { $0.hasPrefix("card") }.sorted().map { directory + "/" + $0 }
    }

    /// Opens the first `card*` in `directory` that has a connected screen.
    ///
    /// - Throws: `DisplayError.noDevice` when there is no node, otherwise the first node's error.
    public static func first(
        in directory: String = "/dev/dri", connector: String? = nil, mode: String? = nil
    ) throws(DisplayError) -> DRMDisplay {
        let paths = devicePaths(in: directory)
        guard !paths.isEmpty else { throw .noDevice(directory: directory) }
        var firstError: DisplayError?
        for path in paths {
            do throws(DisplayError) {
                return try DRMDisplay(devicePath: path, connector: connector, mode: mode)
            } catch {
                firstError = firstError ?? error
            }
        }
        throw firstError!
    }

    /// The display `settings` ask for, or `nil` after logging one line (device, cause, what to check) when
    /// there is none; the engine then renders for the web mirror only.
    public static func open(settings: ScreenSettings, directory: String = "/dev/dri", logger: Logger) -> DRMDisplay? {
        do {
            let display = try first(in: directory, connector: settings.connector, mode: settings.mode)
            logger.info(
                "Screen on \(display.devicePath) \(display.connectorName) \(display.width)x\(display.height)@\(display.refreshRate)"
            )
            return display
        } catch {
            logger.warning("\(error)", metadata: ["directory": "\(directory)"])
            return nil
        }
    }

    /// Opens `devicePath`, becomes DRM master and sets up the connector, mode and buffers.
    ///
    /// - Parameters:
    ///   - connector: a connector name (`HDMI-A-1`), `nil` for the first connected one.
    ///   - mode: `WIDTHxHEIGHT` or `WIDTHxHEIGHT@HZ`, `nil` for the screen's preferred mode.
    public init(devicePath: String, connector: String? = nil, mode: String? = nil) throws(DisplayError) {
        self.devicePath = devicePath
        requestedConnector = connector
        requestedMode = mode
        flipPending = .allocate(capacity: 1)
        flipPending.initialize(to: 0)
        descriptor = Foundation.open(devicePath, O_RDWR | O_CLOEXEC)
        guard descriptor >= 0 else {
            // Every stored property is set by now, so deinit runs and frees `flipPending`.
            throw .cannotOpen(path: devicePath, errno: errno)
        }
        do throws(DisplayError) {
            guard let version = drmGetVersion(descriptor) else { throw .notKMS(path: devicePath) }
            drmFreeVersion(version)
            if drmIsMaster(descriptor) == 0, drmSetMaster(descriptor) != 0 {
                throw .notMaster(path: devicePath, errno: errno)
            }
            try configure()
        } catch {
            close()
            throw error
        }
    }

    deinit {
        close()
        flipPending.deallocate()
    }

    /// Shows `pixels` (`width * height` XRGB8888) on the next vblank and waits for the flip.
    public func present(_ pixels: UnsafeBufferPointer<UInt32>) throws {
        guard isConnected, descriptor >= 0, buffers.count == 2 else { return }
        guard pixels.count >= width * height, let source = pixels.baseAddress else {
            throw DisplayError.frameSize(expected: width * height, got: pixels.count)
        }
        let next = modeIsSet ? 1 - shown : 0
        let buffer = buffers[next]
        guard let memory = buffer.memory else { return }
        for y in 0..<height {
            (memory + y * Int(buffer.pitch)).copyMemory(from: source + y * width, byteCount: width * 4)
        }
        if !modeIsSet {
            var connector = connectorID
            guard drmModeSetCrtc(descriptor, crtcID, buffer.framebuffer, 0, 0, &connector, 1, &mode) == 0 else {
                throw DisplayError.output(path: devicePath, step: "setting mode \(modeName)", errno: errno)
            }
            modeIsSet = true
            shown = next
            return
        }
        flipPending.pointee = 1
        guard
            drmModePageFlip(descriptor, crtcID, buffer.framebuffer, UInt32(DRM_MODE_PAGE_FLIP_EVENT), flipPending) == 0
        else {
            flipPending.pointee = 0
            throw DisplayError.output(path: devicePath, step: "page flip", errno: errno)
        }
        try waitForFlip()
        shown = next
    }

    /// Re-reads the connector after a hot-plug; returns `true` when `width` or `height` changed.
    @discardableResult
    public func reprobe() throws(DisplayError) -> Bool {
        guard descriptor >= 0 else { return false }
        let oldSize = (width, height)
        guard let connector = drmModeGetConnector(descriptor, connectorID) else { return false }
        let connected = connector.pointee.connection == DRM_MODE_CONNECTED && connector.pointee.count_modes > 0
        var sameMode = false
        if connected, let chosen = try? chooseMode(connector) {
            sameMode =
                chosen.hdisplay == mode.hdisplay && chosen.vdisplay == mode.vdisplay
                && chosen.vrefresh == mode.vrefresh
        }
        drmModeFreeConnector(connector)
        if connected && sameMode && buffers.count == 2 {
            if !isConnected { modeIsSet = false }
            isConnected = true
            return false
        }
        destroyBuffers()
        isConnected = false
        do throws(DisplayError) {
            try configure()
        } catch .noConnectedScreen {
            return false
        }
        return oldSize != (width, height)
    }

    /// Restores the mode that was set before, frees the buffers, drops DRM master and closes the device.
    /// Safe to call twice.
    public func close() {
        guard descriptor >= 0 else { return }
        if let saved = savedCRTC {
            if saved.pointee.mode_valid != 0 {
                var connector = connectorID
                _ = drmModeSetCrtc(
                    descriptor, saved.pointee.crtc_id, saved.pointee.buffer_id, saved.pointee.x, saved.pointee.y,
                    &connector, 1, &saved.pointee.mode)
            }
            drmModeFreeCrtc(saved)
            savedCRTC = nil
        }
        destroyBuffers()
        _ = drmDropMaster(descriptor)
        _ = Foundation.close(descriptor)
        descriptor = -1
        isConnected = false
    }

    // MARK: Setup

    private var modeName: String { "\(mode.hdisplay)x\(mode.vdisplay)@\(mode.vrefresh)" }

    /// Finds the connector, mode and CRTC, remembers the CRTC's previous state and creates the buffers.
    private func configure() throws(DisplayError) {
        guard let resources = drmModeGetResources(descriptor) else { throw .notKMS(path: devicePath) }
        defer { drmModeFreeResources(resources) }
        var names: [String] = []
        var chosen: UnsafeMutablePointer<drmModeConnector>?
        for index in 0..<Int(resources.pointee.count_connectors) {
            guard let connector = drmModeGetConnector(descriptor, resources.pointee.connectors[index]) else { continue }
            let name = Self.name(of: connector)
            let connected = connector.pointee.connection == DRM_MODE_CONNECTED && connector.pointee.count_modes > 0
            names.append(name + (connected ? "" : " (disconnected)"))
            let wanted = requestedConnector.map { $0 == name } ?? connected
            if chosen == nil, wanted, connected {
                chosen = connector
            } else {
                drmModeFreeConnector(connector)
            }
        }
        guard let connector = chosen else {
            if let requestedConnector, !names.contains(where: { $0.hasPrefix(requestedConnector) }) {
                throw .connectorNotFound(path: devicePath, name: requestedConnector, available: names)
            }
            throw .noConnectedScreen(path: devicePath, connectors: names)
        }
        defer { drmModeFreeConnector(connector) }
        let name = Self.name(of: connector)
        mode = try chooseMode(connector)
        guard let crtc = findCRTC(connector, resources) else { throw .noCRTC(path: devicePath, connector: name) }
        if savedCRTC == nil { savedCRTC = drmModeGetCrtc(descriptor, crtc) }
        connectorID = connector.pointee.connector_id
        crtcID = crtc
        connectorName = name
        width = Int(mode.hdisplay)
        height = Int(mode.vdisplay)
        refreshRate = Int(mode.vrefresh)
        for _ in 0..<2 { buffers.append(try makeBuffer()) }
        modeIsSet = false
        isConnected = true
    }

    private static func name(of connector: UnsafeMutablePointer<drmModeConnector>) -> String {
        let type =
            drmModeGetConnectorTypeName(connector.pointee.connector_type).map { String(cString: $0) } ?? "Unknown"
        return "\(type)-\(connector.pointee.connector_type_id)"
    }

    private func chooseMode(_ connector: UnsafeMutablePointer<drmModeConnector>) throws(DisplayError) -> drmModeModeInfo
    {
        let modes = UnsafeBufferPointer(start: connector.pointee.modes, count: Int(connector.pointee.count_modes))
        guard let requestedMode else {
            return modes.first { $0.type & UInt32(DRM_MODE_TYPE_PREFERRED) != 0 } ?? modes[0]
        }
        let available = modes.map { "\($0.hdisplay)x\($0.vdisplay)@\($0.vrefresh)" }
        let parsed = ScreenSettings.parseMode(requestedMode)
        let match = modes.first { candidate in
            guard let parsed else { return false }
            return Int(candidate.hdisplay) == parsed.width && Int(candidate.vdisplay) == parsed.height
                && (parsed.refresh.map { Int(candidate.vrefresh) == $0 } ?? true)
        }
        guard let match else {
            throw .modeNotFound(
                path: devicePath, connector: Self.name(of: connector), requested: requestedMode, available: available)
        }
        return match
    }

    /// The CRTC behind the connector's current encoder, else the first one an encoder of it can use.
    private func findCRTC(
        _ connector: UnsafeMutablePointer<drmModeConnector>, _ resources: UnsafeMutablePointer<drmModeRes>
    ) -> UInt32? {
        if connector.pointee.encoder_id != 0, let encoder = drmModeGetEncoder(descriptor, connector.pointee.encoder_id)
        {
            defer { drmModeFreeEncoder(encoder) }
            if encoder.pointee.crtc_id != 0 { return encoder.pointee.crtc_id }
        }
        for index in 0..<Int(connector.pointee.count_encoders) {
            guard let encoder = drmModeGetEncoder(descriptor, connector.pointee.encoders[index]) else { continue }
            defer { drmModeFreeEncoder(encoder) }
            for crtc in 0..<Int(resources.pointee.count_crtcs) where encoder.pointee.possible_crtcs & (1 << crtc) != 0 {
                return resources.pointee.crtcs[crtc]
            }
        }
        return nil
    }

    private func makeBuffer() throws(DisplayError) -> DumbBuffer {
        var buffer = DumbBuffer()
        guard
            drmModeCreateDumbBuffer(
                descriptor, UInt32(width), UInt32(height), 32, 0, &buffer.handle, &buffer.pitch, &buffer.size) == 0
        else { throw .buffer(path: devicePath, step: "creating a \(width)x\(height) dumb buffer", errno: errno) }
        guard
            drmModeAddFB(
                descriptor, UInt32(width), UInt32(height), 24, 32, buffer.pitch, buffer.handle, &buffer.framebuffer)
                == 0
        else {
            let code = errno
            drmModeDestroyDumbBuffer(descriptor, buffer.handle)
            throw .buffer(path: devicePath, step: "adding a framebuffer", errno: code)
        }
        var offset: UInt64 = 0
        let mapped =
            drmModeMapDumbBuffer(descriptor, buffer.handle, &offset) == 0
            ? mmap(nil, Int(buffer.size), PROT_READ | PROT_WRITE, MAP_SHARED, descriptor, off_t(offset)) : MAP_FAILED
        guard let mapped, mapped != MAP_FAILED else {
            let code = errno
            drmModeRmFB(descriptor, buffer.framebuffer)
            drmModeDestroyDumbBuffer(descriptor, buffer.handle)
            throw .buffer(path: devicePath, step: "mapping a dumb buffer", errno: code)
        }
        memset(mapped, 0, Int(buffer.size))
        buffer.memory = mapped
        return buffer
    }

    private func destroyBuffers() {
        for buffer in buffers {
            if let memory = buffer.memory { munmap(memory, Int(buffer.size)) }
            drmModeRmFB(descriptor, buffer.framebuffer)
            drmModeDestroyDumbBuffer(descriptor, buffer.handle)
        }
        buffers.removeAll()
    }

    /// Waits up to one second for the page-flip event.
    private func waitForFlip() throws(DisplayError) {
        var context = drmEventContext()
        context.version = 2
        context.page_flip_handler = { _, _, _, _, pending in
            pending?.assumingMemoryBound(to: Int32.self).pointee = 0
        }
        var waited = 0
        while flipPending.pointee != 0 {
            var request = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
            let ready = poll(&request, 1, 100)
            if ready > 0 {
                guard drmHandleEvent(descriptor, &context) == 0 else {
                    throw .output(path: devicePath, step: "reading the page-flip event", errno: errno)
                }
            } else if ready < 0, errno != EINTR {
                throw .output(path: devicePath, step: "waiting for the page flip", errno: errno)
            } else {
                waited += 100
                // No vblank for a second: the screen went away; let reprobe() sort it out.
                if waited >= 1000 {
                    flipPending.pointee = 0
                    isConnected = false
                    return
                }
            }
        }
    }
}
