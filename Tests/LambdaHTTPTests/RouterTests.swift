import LambdaHTTP
import Testing

@Suite struct Routing {
    let router: Router<Void> = {
        var r = Router<Void>()
        r.add("GET", "/health") { _, _, _ in HTTPResponse(status: 200, body: Array("ok".utf8)) }
        r.add("POST", "/chat") { _, _, _ in HTTPResponse(status: 200) }
        r.add("GET", "/conversation/{session_id+}") { _, p, _ in HTTPResponse(status: 200, body: Array(p["session_id"]!.utf8)) }
        r.add("DELETE", "/conversation/{session_id+}") { _, _, _ in HTTPResponse(status: 204) }
        r.add("GET", "/items/{id}/detail") { _, p, _ in HTTPResponse(status: 200, body: Array(p["id"]!.utf8)) }
        return r
    }()

    func status(_ method: String, _ path: String) -> (Int, String, String?) {
        do {
            let r = try router.respond(to: HTTPRequest(method: method, path: path), context: ())
            return (r.status, String(decoding: r.body, as: UTF8.self), nil)
        } catch {
            return (error.status, error.detail, error.headers["Allow"])
        }
    }

    @Test func matchesLiteralAndParameterRoutes() {
        #expect(status("GET", "/health").0 == 200)
        #expect(status("GET", "/health/").0 == 200)
        #expect(status("GET", "/conversation/abc").1 == "abc")
        #expect(status("GET", "/items/7/detail").1 == "7")
        #expect(status("HEAD", "/health").0 == 200)
    }

    @Test func greedyParameterKeepsTheRestOfThePath() {
        #expect(status("GET", "/conversation/../../etc/passwd").1 == "../../etc/passwd")
    }

    @Test func unknownPathIs404AndWrongMethodIs405WithAllow() {
        #expect(status("GET", "/nope").0 == 404)
        #expect(status("GET", "/items/7").0 == 404)
        let (code, detail, allow) = status("PUT", "/conversation/abc")
        #expect(code == 405 && detail == "Method Not Allowed" && allow == "GET, DELETE")
        #expect(status("GET", "/chat").2 == "POST")
    }
}

@Suite struct CrossOrigin {
    let cors = CORSPolicy(originList: "http://localhost:3000, https://twin.example.com")

    func request(_ method: String, _ headers: [(String, String)]) -> HTTPRequest {
        HTTPRequest(method: method, path: "/chat", headers: HTTPHeaders(headers))
    }

    @Test func preflightFromAnAllowedOrigin() throws {
        let r = try #require(cors.preflightResponse(for: request("OPTIONS", [
            ("Origin", "https://twin.example.com"), ("Access-Control-Request-Method", "POST"),
            ("Access-Control-Request-Headers", "content-type"),
        ])))
        #expect(r.status == 200)
        #expect(r.headers["Access-Control-Allow-Origin"] == "https://twin.example.com")
        #expect(r.headers["Access-Control-Allow-Headers"] == "content-type")
    }

    @Test func preflightFromOtherOriginsIsRefused() throws {
        let r = try #require(cors.preflightResponse(for: request("OPTIONS", [("Origin", "https://evil.example"), ("Access-Control-Request-Method", "POST")])))
        #expect(r.status == 400 && r.headers["Access-Control-Allow-Origin"] == nil)
    }

    @Test func simpleRequestsEchoOnlyAllowedOrigins() {
        var allowed = HTTPResponse(status: 200)
        cors.apply(to: &allowed, for: request("POST", [("Origin", "http://localhost:3000")]))
        #expect(allowed.headers["Access-Control-Allow-Origin"] == "http://localhost:3000")
        #expect(allowed.headers["Vary"] == "Origin")
        var other = HTTPResponse(status: 200)
        cors.apply(to: &other, for: request("POST", [("Origin", "https://evil.example")]))
        #expect(other.headers["Access-Control-Allow-Origin"] == nil)
        #expect(cors.preflightResponse(for: request("OPTIONS", [])) == nil)
    }

    @Test func wildcardAllowsAny() {
        var r = HTTPResponse(status: 200)
        CORSPolicy(originList: "*").apply(to: &r, for: request("GET", [("Origin", "https://any.example")]))
        #expect(r.headers["Access-Control-Allow-Origin"] == "*")
    }
}
