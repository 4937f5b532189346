import Foundation

/// Onset (beat) detection and tempo tracking, run once per hop by ``AudioAnalyzer``.
extension AudioAnalyzer {
    // MARK: - Onsets

    func detectBeat(flux: Float) {
        // Threshold from the history before this hop, with robust statistics so one huge onset (or the start of
        // a song) does not deafen the detector for a second: ratio × median + k × deviation, where the deviation
        // is the median absolute deviation scaled to a Gaussian standard deviation.
        var strongest = flux
        for index in 0..<onsetHistoryCount {
            onsetScratch[index] = onsetHistory[index]
            strongest = max(strongest, onsetHistory[index])
        }
        let median = Self.median(UnsafeMutableBufferPointer(rebasing: onsetScratch[0..<onsetHistoryCount]))
        for index in 0..<onsetHistoryCount { onsetScratch[index] = abs(onsetScratch[index] - median) }
        let deviation =
            1.4826 * Self.median(UnsafeMutableBufferPointer(rebasing: onsetScratch[0..<onsetHistoryCount]))
        let threshold = max(onsetRatio * median + onsetSensitivity * deviation, onsetMinimumFlux)

        hopsSinceBeat += 1
        beat = !isSilent && flux > threshold && hopsSinceBeat >= refractoryHops
        if beat {
            hopsSinceBeat = 0
            beatStrength = strongest > median ? min(1, max(0, (flux - median) / (strongest - median))) : 1
            beatCount += 1
            lastBeatStrength = beatStrength
        } else {
            beatStrength = 0
        }

        onsetHistory[onsetHistoryIndex] = flux
        onsetHistoryIndex = (onsetHistoryIndex + 1) % onsetHistory.count
        onsetHistoryCount = min(onsetHistoryCount + 1, onsetHistory.count)
    }

    /// Median of `values` (0 when empty), found in place by quickselect; reorders `values`.
    static func median(_ values: UnsafeMutableBufferPointer<Float>) -> Float {
        guard !values.isEmpty else { return 0 }
        let middle = values.count / 2
        var low = 0
        var high = values.count - 1
        while low < high {
            let pivot = values[(low + high) / 2]
            var left = low
            var right = high
            while left <= right {
                while values[left] < pivot { left += 1 }
                while values[right] > pivot { right -= 1 }
                if left <= right {
                    values.swapAt(left, right)
                    left += 1
                    right -= 1
                }
            }
            if middle <= right {
                high = right
            } else if middle >= left {
                low = left
            } else {
                break
            }
        }
        return values[middle]
    }

    // MARK: - Tempo

    func trackTempo(flux: Float) {
        if isSilent {
            tempoHistoryCount = 0
            tempoHistoryIndex = 0
            tempo = nil
            tempoCandidate = nil
            tempoConfidence = 0
            return
        }
        tempoHistory[tempoHistoryIndex] = flux
        tempoHistoryIndex = (tempoHistoryIndex + 1) % tempoHistory.count
        tempoHistoryCount = min(tempoHistoryCount + 1, tempoHistory.count)
        guard hopsProcessed % Self.tempoInterval == 0, tempoHistoryCount >= tempoMinimumHistory else { return }

        // Oldest first, mean removed.
        let count = tempoHistoryCount
        var start = tempoHistoryIndex - count
        if start < 0 { start += tempoHistory.count }
        var mean: Float = 0
        for index in 0..<count {
            var source = start + index
            if source >= tempoHistory.count { source -= tempoHistory.count }
            tempoScratch[index] = tempoHistory[source]
            mean += tempoHistory[source]
        }
        mean /= Float(count)
        var energy: Float = 0
        for index in 0..<count {
            tempoScratch[index] -= mean
            energy += tempoScratch[index] * tempoScratch[index]
        }
        guard energy > 1e-12 else { return noConfidentTempo() }

        let lastLag = min(maximumLag + 1, count - 1)
        for lag in (minimumLag - 1)...lastLag where lag >= 1 {
            var sum: Float = 0
            for index in lag..<count { sum += tempoScratch[index] * tempoScratch[index - lag] }
            autocorrelation[lag] = sum / energy
        }
        var best = -1
        var bestScore: Float = 0
        for lag in minimumLag...min(maximumLag, lastLag) {
            // Only local maxima: a slope towards a neighbouring peak is not a period.
            let value = autocorrelation[lag]
            guard lag - 1 >= 1, lag + 1 <= lastLag,
                value >= autocorrelation[lag - 1], value >= autocorrelation[lag + 1]
            else { continue }
            let score = value * tempoWeights[lag]
            if score > bestScore {
                bestScore = score
                best = lag
            }
        }
        guard best > 0 else { return noConfidentTempo() }
        tempoConfidence = min(1, max(0, autocorrelation[best]))
        guard Double(tempoConfidence) >= configuration.tempoConfidenceThreshold else { return noConfidentTempo() }

        // Parabolic interpolation between the neighbouring lags.
        let before = autocorrelation[best - 1]
        let peak = autocorrelation[best]
        let after = autocorrelation[best + 1]
        let curvature = before - 2 * peak + after
        let offset = curvature < 0 ? min(0.5, max(-0.5, 0.5 * (before - after) / curvature)) : 0
        let estimate = min(
            configuration.tempoRange.upperBound,
            max(configuration.tempoRange.lowerBound, hopsPerMinute / (Double(best) + Double(offset))))
        tempoMisses = 0
        // Follow small drifts smoothly; take a new tempo only when two estimates in a row agree on it.
        if let current = tempo, abs(estimate - current) < 0.04 * current {
            tempo = current + 0.3 * (estimate - current)
        } else if let candidate = tempoCandidate, abs(estimate - candidate) < 0.04 * candidate {
            tempo = estimate
        }
        tempoCandidate = estimate
    }

    func noConfidentTempo() {
        tempoCandidate = nil
        tempoMisses += 1
        if tempoMisses > tempoMaximumMisses { tempo = nil }
    }
}
