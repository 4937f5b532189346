/// Fixed-bucket histogram of latencies in microseconds, preallocated, for percentiles without allocating.
struct LatencyHistogram {
    private var counts: [UInt32]
    private var total: UInt64 = 0
    let bucketMicros: Int64
    let lowestMicros: Int64

    init(bucketMicros: Int64, buckets: Int, lowestMicros: Int64) {
        counts = [UInt32](repeating: 0, count: buckets)
        self.bucketMicros = bucketMicros
        self.lowestMicros = lowestMicros
    }

    mutating func record(micros: Int64) {
        let bucket = Int((micros - lowestMicros) / bucketMicros)
        counts[max(0, min(counts.count - 1, bucket))] &+= 1
        total &+= 1
    }

    /// The value below which `fraction` of the samples fall (the bucket's middle), nil without samples.
    func percentile(_ fraction: Double) -> Int64? {
        guard total > 0 else { return nil }
        let rank = UInt64((Double(total) * fraction).rounded(.up))
        var seen: UInt64 = 0
        for (bucket, count) in counts.enumerated() {
            seen += UInt64(count)
            if seen >= max(1, rank) { return lowestMicros + Int64(bucket) * bucketMicros + bucketMicros / 2 }
        }
        return nil
    }

    mutating func reset() {
        for index in counts.indices { counts[index] = 0 }
        total = 0
    }
}
