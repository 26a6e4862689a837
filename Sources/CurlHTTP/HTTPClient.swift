import CShims

/// One HTTP request, as bytes on the wire will carry it.
public struct HTTPClientRequest: Sendable {
    public var method: String
    public var url: String
    public var headers: [(String, String)]
    public var body: [UInt8]
    /// Whole-transfer timeout; nil waits as long as it takes (the Runtime API's `/next`).
    public var timeoutMilliseconds: Int?

    public init(method: String, url: String, headers: [(String, String)] = [], body: [UInt8] = [], timeoutMilliseconds: Int? = nil) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.timeoutMilliseconds = timeoutMilliseconds
    }
}

/// A complete HTTP response. Header names are kept as sent; `header(_:)` looks them up case-insensitively.
public struct HTTPClientResponse: Sendable {
    public var status: Int
    public var headers: [(String, String)]
    public var body: [UInt8]

    public init(status: Int, headers: [(String, String)], body: [UInt8]) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    public func header(_ name: String) -> String? {
        let lowered = name.lowercased()
        return headers.first { $0.0.lowercased() == lowered }?.1
    }
}

/// A transfer that did not produce an HTTP response.
public struct HTTPClientError: Error, CustomStringConvertible, Sendable {
    public enum Kind: Sendable { case timeout, connect, tls, other }
    public let kind: Kind
    public let code: Int
    public let message: String
    public var description: String { "HTTP transfer failed (curl \(code)): \(message)" }
    /// Connection-level failures worth another try.
    public var isTransient: Bool { kind != .tls }
}

/// A blocking HTTP/1.1 client over one libcurl easy handle. The handle keeps
/// its connections open between requests, so a warm Lambda reuses them across
/// invocations. Not thread-safe: one owner at a time.
public final class HTTPClient {
    private let handle: UnsafeMutableRawPointer
    private let caBundle: String?
    /// The socket curl opened last (written by the C socket callback).
    private let lastSocket = UnsafeMutablePointer<Int32>.allocate(capacity: 1)

    /// - Parameter caBundle: the CA file for HTTPS; nil finds one (`SSL_CERT_FILE`, Amazon Linux's, Debian's).
    public init(caBundle: String? = HTTPClient.defaultCABundle()) {
        CurlGlobal.initialize()
        guard let h = curl_easy_init() else { fatalError("curl_easy_init failed: out of memory") }
        self.handle = h
        self.caBundle = caBundle
        lastSocket.initialize(to: -1)
    }

    deinit {
        curl_easy_cleanup(handle)
        lastSocket.deallocate()
    }

    /// The CA bundle HTTPS verifies against. Verification is never turned off.
    public static func defaultCABundle(environment: [String: String] = Environment.all) -> String? {
        if let file = environment["SSL_CERT_FILE"], !file.isEmpty { return file }
        for path in ["/etc/pki/tls/certs/ca-bundle.crt", "/etc/ssl/certs/ca-certificates.crt"] where fileExists(path) {
            return path
        }
        return nil
    }

    public func send(_ request: HTTPClientRequest) throws(HTTPClientError) -> HTTPClientResponse {
        let h = handle
        curl_easy_reset(h)
        let sink = ResponseSink()
        let sinkPointer = Unmanaged.passUnretained(sink).toOpaque()

        var headerList: UnsafeMutablePointer<curl_slist>? = nil
        // libcurl adds "Expect: 100-continue" to large uploads, which costs a round trip.
        for (name, value) in request.headers + [("Expect", "")] {
            headerList = curl_slist_append(headerList, value.isEmpty ? "\(name):" : "\(name): \(value)")
        }
        defer { curl_slist_free_all(headerList) }

        cshim_setopt_string(h, CURLOPT_URL, request.url)
        cshim_setopt_long(h, CURLOPT_NOSIGNAL, 1)
        cshim_setopt_long(h, CURLOPT_TCP_NODELAY, 1)
        cshim_use_lowlatency_sockets(h, lastSocket)
        cshim_setopt_long(h, CURLOPT_CONNECTTIMEOUT_MS, 10_000)
        cshim_setopt_long(h, CURLOPT_TIMEOUT_MS, request.timeoutMilliseconds.map { max(1, $0) } ?? 0)
        cshim_setopt_long(h, CURLOPT_SSL_VERIFYPEER, 1)
        cshim_setopt_long(h, CURLOPT_SSL_VERIFYHOST, 2)
        cshim_setopt_long(h, CURLOPT_SSLVERSION, Int(CURL_SSLVERSION_TLSv1_2))
        if let ca = caBundle { cshim_setopt_string(h, CURLOPT_CAINFO, ca) }
        cshim_setopt_slist(h, CURLOPT_HTTPHEADER, headerList)
        cshim_setopt_callback(h, CURLOPT_WRITEFUNCTION, { ptr, size, count, user in
            let sink = Unmanaged<ResponseSink>.fromOpaque(user!).takeUnretainedValue()
            let n = size * count
            if n > 0, let ptr { sink.body.append(contentsOf: UnsafeRawBufferPointer(start: ptr, count: n)) }
            return n
        })
        cshim_setopt_pointer(h, CURLOPT_WRITEDATA, sinkPointer)
        cshim_setopt_callback(h, CURLOPT_HEADERFUNCTION, { ptr, size, count, user in
            let sink = Unmanaged<ResponseSink>.fromOpaque(user!).takeUnretainedValue()
            let n = size * count
            if n > 0, let ptr { sink.addHeaderLine(UnsafeRawBufferPointer(start: ptr, count: n)) }
            return n
        })
        cshim_setopt_pointer(h, CURLOPT_HEADERDATA, sinkPointer)

        let method = request.method.uppercased()
        let code: CURLcode = request.body.withUnsafeBufferPointer { body in
            switch method {
            case "GET": cshim_setopt_long(h, CURLOPT_HTTPGET, 1)
            case "HEAD": cshim_setopt_long(h, CURLOPT_NOBODY, 1)
            default:
                if method != "POST" { cshim_setopt_string(h, CURLOPT_CUSTOMREQUEST, method) }
                if !body.isEmpty || method == "POST" || method == "PUT" {
                    cshim_setopt_long(h, CURLOPT_POST, 1)
                    // POSTFIELDS does not copy: the buffer outlives the transfer inside this closure.
                    cshim_setopt_offset(h, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(body.count))
                    cshim_setopt_pointer(h, CURLOPT_POSTFIELDS, UnsafeMutableRawPointer(mutating: body.baseAddress ?? UnsafePointer(bitPattern: 1)!))
                }
            }
            return curl_easy_perform(h)
        }
        guard code == CURLE_OK else {
            let kind: HTTPClientError.Kind
            switch code {
            case CURLE_OPERATION_TIMEDOUT: kind = .timeout
            case CURLE_COULDNT_CONNECT, CURLE_COULDNT_RESOLVE_HOST, CURLE_COULDNT_RESOLVE_PROXY: kind = .connect
            case CURLE_SSL_CONNECT_ERROR, CURLE_PEER_FAILED_VERIFICATION, CURLE_SSL_CACERT_BADFILE, CURLE_SSL_CERTPROBLEM:
                kind = .tls
            default: kind = .other
            }
            throw HTTPClientError(kind: kind, code: Int(code.rawValue), message: String(cString: curl_easy_strerror(code)))
        }
        var status = 0
        cshim_getinfo_long(h, CURLINFO_RESPONSE_CODE, &status)
        return HTTPClientResponse(status: status, headers: sink.headers, body: sink.body)
    }
}

/// Collects one response; headers of interim (1xx) and redirect responses are dropped.
private final class ResponseSink {
    var body: [UInt8] = []
    var headers: [(String, String)] = []

    func addHeaderLine(_ raw: UnsafeRawBufferPointer) {
        var end = raw.count
        while end > 0, raw[end - 1] == 0x0D || raw[end - 1] == 0x0A { end -= 1 }
        let line = Substring(String(decoding: UnsafeRawBufferPointer(rebasing: raw[0..<end]), as: UTF8.self))
        if line.hasPrefix("HTTP/") { headers.removeAll(); return }  // a new status line starts a new header block
        guard let colon = line.firstIndex(of: ":") else { return }
        let name = line[..<colon]
        let value = line[line.index(after: colon)...].drop { $0 == " " || $0 == "\t" }
        headers.append((String(name), String(value)))
    }
}

private enum CurlGlobal {
    // curl_global_init is not thread-safe; Swift runs a global's initializer exactly once.
    static let initialized: Bool = {
        _ = cshim_init_openssl()
        curl_global_init(Int(CURL_GLOBAL_DEFAULT))
        return true
    }()

    static func initialize() { _ = initialized }
}
