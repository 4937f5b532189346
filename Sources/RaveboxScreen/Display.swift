/// A screen the engine renders to: DRM/KMS on the box, memory in tests and for the web mirror.
public protocol Display: AnyObject {
    /// Width and height in pixels of the mode in use.
    var width: Int { get }
    var height: Int { get }
    /// Shows one XRGB8888 frame of `width * height` pixels, row-major.
    func present(_ pixels: UnsafeBufferPointer<UInt32>) throws
}
