import Logging
import RaveboxIPC
import RaveboxLibrary
import RaveboxStore
import ServiceLifecycle

/// The music folders as a service: scans the library now and again whenever a music folder or a USB stick
/// comes or goes (``LibraryWatcher``), and rings the library counter, until graceful shutdown. With nothing
/// to watch it returns at once.
public struct LibraryWatcherService: Service {
    let libraries: [String]
    /// Folder the USB sticks are mounted in (`usb_root`); nil = no USB sticks.
    let usbRoot: String?
    let store: Store
    let segment: SharedSegment
    let logger: Logger

    public init(libraries: [String], usbRoot: String?, store: Store, segment: SharedSegment, logger: Logger) {
        self.libraries = libraries
        self.usbRoot = usbRoot
        self.store = store
        self.segment = segment
        self.logger = logger
    }

    public func run() async {
        guard !libraries.isEmpty || usbRoot != nil else { return }
        let segment = segment
        let watcher = LibraryWatcher(
            libraries: libraries, usbRoot: usbRoot, scanner: LibraryScanner(store: store, logger: logger),
            logger: logger, onChange: { segment.bump(.library) })
        watcher.start()
        defer { watcher.stop() }
        try? await gracefulShutdown()  // or cancellation: either way the watcher stops
    }
}
