import SimpleJSON
import Testing

@Suite struct JSONParsing {
    @Test func parsesEveryKindOfValue() throws {
        let json = try JSON.parse(#"{"a": [1, -2.5, 3e2, true, false, null], "b": {"c": "d"}, "e": ""}"#)
        #expect(json["a"]?.array?.count == 6)
        #expect(json["a"]?.array?[0].int == 1)
        #expect(json["a"]?.array?[1].number == -2.5)
        #expect(json["a"]?.array?[2].number == 300)
        #expect(json["a"]?.array?[5].isNull == true)
        #expect(json["b"]?["c"]?.string == "d")
        #expect(json["e"]?.string == "")
        #expect(json["missing"] == nil)
    }

    @Test func decodesEscapesAndSurrogatePairs() throws {
        let json = try JSON.parse(#""tab\t quote\" slash\/ \u00e9 \ud83d\ude00 lone\ud800""#)
        #expect(json.string == "tab\t quote\" slash/ é 😀 lone\u{FFFD}")
    }

    @Test(arguments: ["", "{", "[1,]", "{\"a\" 1}", "tru", "\"unterminated", "01x", "[1] 2", "{\"a\":1,}", "\"\u{01}\""])
    func rejectsInvalidDocuments(_ text: String) {
        #expect(throws: JSONParseError.self) { try JSON.parse(text) }
    }

    @Test func refusesDeepNesting() {
        #expect(throws: JSONParseError.self) { try JSON.parse(String(repeating: "[", count: 600) + String(repeating: "]", count: 600)) }
    }
}

@Suite struct JSONWriting {
    @Test func compactOutputKeepsKeyOrderAndEscapes() {
        let value: JSON = ["z": 1, "a": "line\nbreak \"q\" \u{01}", "n": .null, "f": 0.5, "big": 1e20]
        #expect(value.serialized() == #"{"z":1,"a":"line\nbreak \"q\" \u0001","n":null,"f":0.5,"big":1e+20}"#)
    }

    @Test func indentedOutputMatchesPythonJsonDumpsIndent2() {
        let value: JSON = [["role": "user", "content": "hi", "timestamp": "2025-01-01T00:00:00"]]
        let expected = "[\n  {\n    \"role\": \"user\",\n    \"content\": \"hi\",\n    \"timestamp\": \"2025-01-01T00:00:00\"\n  }\n]"
        #expect(String(decoding: value.bytes(indent: 2), as: UTF8.self) == expected)
        #expect(String(decoding: JSON.array([]).bytes(indent: 2), as: UTF8.self) == "[]")
    }

    @Test func roundTripsUnicode() throws {
        let value: JSON = ["text": "héllo 😀 日本"]
        #expect(try JSON.parse(value.bytes()) == value)
    }
}
