import LambdaHTTP
import SimpleJSON
import Testing

@Suite struct ResponseEncoding {
    var response: HTTPResponse {
        var r = HTTPResponse.json(["ok": true], status: 201)
        r.headers.add("Set-Cookie", "a=1; Path=/")
        r.headers.add("Set-Cookie", "b=2")
        r.headers.add("X-Trace", "t")
        return r
    }

    @Test func restV1SingleValuePlusMultiValueForRepeatedNames() {
        let json = ResponseEncoder.encode(response, for: .apiGatewayV1(multiValue: false))
        #expect(json["statusCode"]?.int == 201)
        #expect(json["headers"]?["X-Trace"]?.string == "t")
        #expect(json["multiValueHeaders"]?["Set-Cookie"]?.array?.count == 2)
        #expect(json["body"]?.string == #"{"ok":true}"#)
        #expect(json["isBase64Encoded"]?.bool == false)
        #expect(json["cookies"] == nil)
    }

    @Test func restV1WithoutRepeatsHasNoMultiValueHeaders() {
        let json = ResponseEncoder.encode(.json(["a": 1]), for: .apiGatewayV1(multiValue: false))
        #expect(json["multiValueHeaders"] == nil)
        #expect(json["headers"]?["Content-Type"]?.string == "application/json")
    }

    @Test func v2MovesSetCookieToCookiesAndAlwaysHasCookies() {
        for shape in [EventShape.apiGatewayV2, .functionURL] {
            let json = ResponseEncoder.encode(response, for: shape)
            #expect(json["cookies"]?.array == ["a=1; Path=/", "b=2"])
            #expect(json["headers"]?["Set-Cookie"] == nil)
            let plain = ResponseEncoder.encode(.json(["a": 1]), for: shape)
            #expect(plain["cookies"]?.array == [])
        }
    }

    @Test func albHasStatusDescriptionAndBothHeaderMaps() {
        for mode in [false, true] {
            let json = ResponseEncoder.encode(response, for: .alb(multiValue: mode))
            #expect(json["statusDescription"]?.string == "201 Created")
            #expect(json["headers"]?["X-Trace"]?.string == "t")
            #expect(json["multiValueHeaders"]?["Set-Cookie"]?.array?.count == 2)
        }
    }

    @Test func binaryBodiesAreBase64() {
        let png = HTTPResponse(status: 200, headers: HTTPHeaders([("Content-Type", "image/png")]), body: [0x89, 0x50, 0x4E, 0x47, 0xFF])
        let json = ResponseEncoder.encode(png, for: .apiGatewayV2)
        #expect(json["isBase64Encoded"]?.bool == true)
        #expect(Base64.decode(json["body"]!.string!) == png.body)
        let badUTF8 = HTTPResponse(status: 200, headers: HTTPHeaders([("Content-Type", "text/plain")]), body: [0xFF, 0xFE])
        #expect(ResponseEncoder.encode(badUTF8, for: .functionURL)["isBase64Encoded"]?.bool == true)
    }
}

@Suite struct Base64Coding {
    @Test(arguments: ["", "f", "fo", "foo", "foob", "fooba", "foobar"])
    func roundTripsRFC4648Vectors(_ text: String) {
        let encoded = Base64.encode(Array(text.utf8))
        #expect(Base64.decode(encoded) == Array(text.utf8))
    }

    @Test func knownVector() {
        #expect(Base64.encode(Array("foobar".utf8)) == "Zm9vYmFy")
        #expect(Base64.decode("Zm9vYg==") == Array("foob".utf8))
        #expect(Base64.decode("not*base64") == nil)
    }
}

/// Our encodings carry the fields of the response samples other runtimes test with.
@Suite struct ResponseShapesMatchPeerSamples {
    func keys(_ name: String) throws -> Set<String> {
        Set(try JSON.parse(try Fixtures.bytes(name)).object!.map(\.0))
    }

    func encodedKeys(_ shape: EventShape) -> Set<String> {
        var r = HTTPResponse.json(["ok": true])
        r.headers.add("Set-Cookie", "a=1")
        return Set(ResponseEncoder.encode(r, for: shape).object!.map(\.0))
    }

    @Test func apiGatewayV1() throws {
        #expect(try keys("aws-lambda-go/apigw-response.json").isSubset(of: encodedKeys(.apiGatewayV1(multiValue: true))))
    }

    @Test func functionURL() throws {
        #expect(try keys("aws-lambda-go/lambda-urls-response.json").isSubset(of: encodedKeys(.functionURL)))
    }

    @Test func alb() throws {
        let sample = try keys("aws-lambda-go/alb-lambda-target-response.json")
        let ours = encodedKeys(.alb(multiValue: sample.contains("multiValueHeaders")))
        #expect(sample.isSubset(of: ours), "\(sample.subtracting(ours))")
    }
}
