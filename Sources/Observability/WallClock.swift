#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Wall-clock time without Foundation: epoch milliseconds, and UTC calendar fields
/// for the timestamps logs (RFC 3339) and SigV4 (`yyyyMMdd'T'HHmmss'Z'`) print.
public enum WallClock {
    public static func nowMilliseconds() -> Int64 {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return Int64(ts.tv_sec) * 1000 + Int64(ts.tv_nsec) / 1_000_000
    }

    /// Zero-padded UTC fields of an epoch second: year (4), month, day, hour, minute, second (2 each).
    public static func utcFields(epochSeconds: Int) -> (year: String, month: String, day: String, hour: String, minute: String, second: String) {
        var t = time_t(epochSeconds)
        var parts = tm()
        gmtime_r(&t, &parts)
        return (pad(Int(parts.tm_year) + 1900, 4), pad(Int(parts.tm_mon) + 1, 2), pad(Int(parts.tm_mday), 2),
                pad(Int(parts.tm_hour), 2), pad(Int(parts.tm_min), 2), pad(Int(parts.tm_sec), 2))
    }

    public static func pad(_ value: Int, _ width: Int) -> String {
        let s = String(value)
        return s.count >= width ? s : String(repeating: "0", count: width - s.count) + s
    }
}
