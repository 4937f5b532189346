// analyze-pcm: Ravebox's analysis as a cava stand-in, for bench/analysis-vs-cava.sh.
//
//     analyze-pcm --bars N --framerate F [--output PATH] INPUT
//
// Reads raw s16le stereo 48 kHz PCM from INPUT (a file or a FIFO) as fast as it arrives, runs `AudioAnalyzer`
// (window 2048, hop 512, N bands) over it, and every 48000/F input frames writes the latest N band values × 255 as
// N bytes: the shape of cava's raw output with `data_format = binary`, `bit_format = 8bit`, `channels = mono`.
// No pacing of its own: a FIFO written in real time makes it run in real time. At the end of the input it prints
// one `key=value` line to standard error (frames read, bar frames and bytes written) so the script can check that
// it consumed everything.
//
// Output goes to standard output unless `--output PATH` names a file (created or truncated).

import Foundation
import RaveboxDSP

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("analyze-pcm: \(message)\n".utf8))
    exit(2)
}

let usage = "usage: analyze-pcm --bars N --framerate F [--output PATH] INPUT"
var bars = 64
var framerate = 60.0
var outputPath: String?
var inputPath: String?
var arguments = CommandLine.arguments.dropFirst()
while let argument = arguments.popFirst() {
    switch argument {
    case "--bars":
        guard let value = arguments.popFirst().flatMap(Int.init) else { fail("--bars needs a number\n\(usage)") }
        bars = value
    case "--framerate":
        guard let value = arguments.popFirst().flatMap(Double.init), value > 0 else {
            fail("--framerate needs a positive number\n\(usage)")
        }
        framerate = value
    case "--output":
        guard let value = arguments.popFirst() else { fail("--output needs a path\n\(usage)") }
        outputPath = value
    case "-h", "--help":
        print(usage)
        exit(0)
    default:
        guard inputPath == nil, !argument.hasPrefix("-") else { fail("unexpected argument \(argument)\n\(usage)") }
        inputPath = argument
    }
}
guard let inputPath else { fail(usage) }

let sampleRate = 48_000
let channels = 2
var configuration = AnalyzerConfiguration()
configuration.sampleRate = Double(sampleRate)
configuration.windowSize = 2048
configuration.hop = 512
configuration.bandCount = bars
let analyzer: AudioAnalyzer
do {
    analyzer = try AudioAnalyzer(configuration: configuration)
} catch {
    fail("\(error)")
}

let input = open(inputPath, O_RDONLY)
guard input >= 0 else { fail("cannot open \(inputPath): \(String(cString: strerror(errno)))") }
let output: Int32
if let outputPath {
    output = open(outputPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
    guard output >= 0 else { fail("cannot open \(outputPath): \(String(cString: strerror(errno)))") }
} else {
    output = STDOUT_FILENO
}

// 4096 frames per read (85 ms at 48 kHz); a FIFO written in real time returns less.
let bufferFrames = 4096
let bytesPerFrame = 2 * channels
let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: bufferFrames * bytesPerFrame, alignment: 2)
defer { buffer.deallocate() }
let barBytes = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: bars)
defer { barBytes.deallocate() }

var pending = 0  // bytes at the start of `buffer` not yet pushed (an incomplete frame)
var framesRead = 0
var barFrames = 0
var bytesWritten = 0
var nextBarFrame = 1

/// Input frame count at which bar frame `index` (from 1) is due: round(index × 48000 / F).
@MainActor func dueFrame(_ index: Int) -> Int { Int((Double(index) * Double(sampleRate) / framerate).rounded()) }

@MainActor func writeBars() {
    analyzer.bands.withUnsafeBufferPointer { bands in
        for index in 0..<bars { barBytes[index] = UInt8(max(0, min(1, bands[index])) * 255) }
    }
    var offset = 0
    while offset < bars {
        let written = write(output, barBytes.baseAddress! + offset, bars - offset)
        if written < 0 {
            if errno == EINTR { continue }
            fail("write failed: \(String(cString: strerror(errno)))")
        }
        offset += written
    }
    bytesWritten += bars
    barFrames += 1
}

while true {
    let count = read(input, buffer.baseAddress! + pending, buffer.count - pending)
    if count < 0 {
        if errno == EINTR { continue }
        fail("read failed: \(String(cString: strerror(errno)))")
    }
    if count == 0 { break }
    let available = pending + count
    let frames = available / bytesPerFrame
    let samples = buffer.baseAddress!.assumingMemoryBound(to: Int16.self)
    var frame = 0
    // Push up to each bar frame's due point, write the bars, go on.
    while frame < frames {
        let due = dueFrame(nextBarFrame) - framesRead
        let chunk = min(frames - frame, due)
        analyzer.push(
            UnsafeBufferPointer(start: samples + frame * channels, count: chunk * channels), channels: channels)
        frame += chunk
        framesRead += chunk
        if chunk == due {
            writeBars()
            nextBarFrame += 1
        }
    }
    pending = available - frames * bytesPerFrame
    if pending > 0 {
        buffer.baseAddress!.copyMemory(from: buffer.baseAddress! + frames * bytesPerFrame, byteCount: pending)
    }
}

FileHandle.standardError.write(
    Data("frames_read=\(framesRead) bar_frames=\(barFrames) bytes_written=\(bytesWritten)\n".utf8))
