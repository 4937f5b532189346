import CFFTW3F
import Foundation

/// Magnitude spectrum of a block of samples: Hann window, then FFTW's single-precision real FFT.
///
/// The plan and buffers are made once in `init`; ``analyze(_:)`` then neither allocates nor locks, so it
/// can run once per analysis hop on the analysis thread. Instances may be created from any thread (plan
/// creation takes a process-wide lock, as FFTW's planner is not thread-safe); each instance is used by one thread.
///
/// ```swift
/// let spectrum = Spectrum(size: 2048)
/// samples.withUnsafeBufferPointer { spectrum.analyze($0) }
/// let loudestBin = spectrum.magnitudes.indices.max { spectrum.magnitudes[$0] < spectrum.magnitudes[$1] }
/// ```
public final class Spectrum {
    /// Samples per block (a power of two is fastest).
    public let size: Int
    /// `size / 2 + 1` magnitudes, one per frequency bin; bin `k` is `k * sampleRate / size` Hz.
    public private(set) var magnitudes: [Float]

    private let window: [Float]
    private let input: UnsafeMutablePointer<Float>
    private let output: UnsafeMutablePointer<fftwf_complex>
    private let plan: fftwf_plan

    /// FFTW's planner (plan creation and destruction) must not run on two threads at once.
    private static let planner = NSLock()

    public init(size: Int) {
        precondition(size >= 2, "an FFT needs at least two samples")
        self.size = size
        let bins = size / 2 + 1
        input = fftwf_alloc_real(size)
        output = fftwf_alloc_complex(bins)
        Self.planner.lock()
        let plan = fftwf_plan_dft_r2c_1d(Int32(size), input, output, UInt32(FFTW_ESTIMATE))
        Self.planner.unlock()
        guard let plan else { fatalError("FFTW could not plan a real FFT of \(size) samples") }
        self.plan = plan
        magnitudes = [Float](repeating: 0, count: bins)
        window = (0..<size).map { index in
            // Hann window: 0.5 - 0.5 cos(2πn / (N-1)).
            0.5 - 0.5 * Float(cos(2 * Double.pi * Double(index) / Double(size - 1)))
        }
    }

    deinit {
        Self.planner.lock()
        fftwf_destroy_plan(plan)
        Self.planner.unlock()
        fftwf_free(input)
        fftwf_free(output)
    }

    /// Windows the first `size` samples (zero-padding a shorter block) and fills ``magnitudes``.
    /// Does not allocate.
    public func analyze(_ samples: UnsafeBufferPointer<Float>) {
        let count = min(samples.count, size)
        window.withUnsafeBufferPointer { window in
            for index in 0..<count { input[index] = samples[index] * window[index] }
        }
        for index in count..<size { input[index] = 0 }
        fftwf_execute(plan)
        magnitudes.withUnsafeMutableBufferPointer { magnitudes in
            for bin in 0..<magnitudes.count {
                let (re, im) = output[bin]
                magnitudes[bin] = (re * re + im * im).squareRoot()
            }
        }
    }
}
