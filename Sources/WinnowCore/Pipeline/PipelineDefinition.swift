/// A validated pipeline, decoded into typed configuration.
///
/// Built by ``PipelineLoader`` only after the JSON passed ``PipelineSchema`` validation, so the
/// decoders below can rely on the shape and apply defaults.
public struct PipelineDefinition: Sendable {
    public var dataset: String
    public var description: String?
    public var seed: Int
    public var maxErrorRate: Double
    public var inputs: [InputDefinition]
    public var stages: [StageDefinition]
    /// The pipeline as written, without `$schema`, in canonical form: hashed into version ids.
    public var canonicalJSON: String
    /// The decoded JSON (for diffs between versions).
    public var json: JSONValue
    /// Directory the pipeline file lives in; input paths are relative to it.
    public var baseDirectory: String
    /// JSON path -> source position, for errors found after validation (bad regexes, missing files).
    public var locations: [String: SourceLocation]

    public init(json: JSONValue, baseDirectory: String, locations: [String: SourceLocation] = [:]) {
        let root = json.objectValue ?? JSONObject()
        dataset = root["dataset"]?.stringValue ?? ""
        description = root["description"]?.stringValue
        seed = root["seed"]?.intValue ?? 0
        maxErrorRate = root["max_error_rate"]?.doubleValue ?? 0.01
        inputs = (root["inputs"]?.arrayValue ?? []).enumerated().map { InputDefinition(json: $1, path: "$.inputs[\($0)]") }
        stages = (root["stages"]?.arrayValue ?? []).enumerated().compactMap { index, value in
            guard let member = value.objectValue?.members.first else { return nil }
            return StageDefinition(name: member.key, config: member.value.objectValue ?? JSONObject(),
                                   index: index, path: "$.stages[\(index)].\(member.key)")
        }
        var hashed = root
        hashed["$schema"] = nil
        self.json = .object(hashed)
        canonicalJSON = JSONWriter.canonical(.object(hashed))
        self.baseDirectory = baseDirectory
        self.locations = locations
    }

    public func location(of path: String) -> SourceLocation? { locations[path] }

    /// The same pipeline reading `paths` instead of its own inputs (`winnow run --input`).
    /// Only for pipelines with one input entry; the override is part of the canonical JSON,
    /// so it is part of the version id too.
    public func withInputPaths(_ paths: [String]) throws -> PipelineDefinition {
        guard inputs.count == 1, case .object(var root) = json, case .array(var entries)? = root["inputs"],
              case .object(var entry) = entries[0] else {
            throw WinnowError.usage("--input needs a pipeline with exactly one entry in `inputs` (this one has \(inputs.count))")
        }
        entry["path"] = paths.count == 1 ? .string(paths[0]) : .array(paths.map(JSONValue.string))
        entries[0] = .object(entry)
        root["inputs"] = .array(entries)
        return PipelineDefinition(json: .object(root), baseDirectory: baseDirectory, locations: locations)
    }
}

/// One input entry.
public struct InputDefinition: Sendable {
    public enum Format: String, Sendable { case jsonl, csv, tsv, text, html, xml, mediawiki }
    public enum InvalidUTF8: String, Sendable { case quarantine, replace }
    public enum TextUnit: String, Sendable { case line, file }

    public var paths: [String]
    public var format: Format?
    public var encoding: String
    public var invalidUTF8: InvalidUTF8
    /// Role -> source field name.
    public var fields: [FieldRole: String]
    public var delimiter: UInt8?
    public var quote: UInt8
    public var header: Bool
    public var columns: [String]?
    public var textUnit: TextUnit
    public var linePattern: String?
    public var skipEmpty: Bool
    /// `html`, `xml` and `mediawiki` options as written (decoded by the stages module).
    public var html: JSONObject
    public var xml: JSONObject
    public var mediawiki: JSONObject
    /// JSON path of this input, for error messages.
    public var jsonPath: String

    init(json: JSONValue, path: String) {
        let o = json.objectValue ?? JSONObject()
        switch o["path"] {
        case .string(let s): paths = [s]
        case .array(let a): paths = a.compactMap(\.stringValue)
        default: paths = []
        }
        format = o["format"]?.stringValue.flatMap(Format.init(rawValue:))
        encoding = InputDefinition.effectiveEncoding(o["encoding"]?.stringValue ?? "utf-8")
        invalidUTF8 = o["invalid_utf8"]?.stringValue.flatMap(InvalidUTF8.init(rawValue:)) ?? .quarantine
        var roles: [FieldRole: String] = [:]
        for role in FieldRole.allCases {
            roles[role] = o["fields"]?.objectValue?[role.rawValue]?.stringValue ?? role.rawValue
        }
        fields = roles
        let csv = o["csv"]?.objectValue
        delimiter = csv?["delimiter"]?.stringValue?.utf8.first
        quote = csv?["quote"]?.stringValue?.utf8.first ?? UInt8(ascii: "\"")
        header = csv?["header"]?.boolValue ?? true
        columns = csv?["columns"]?.arrayValue?.compactMap(\.stringValue)
        let text = o["text"]?.objectValue
        textUnit = text?["unit"]?.stringValue.flatMap(TextUnit.init(rawValue:)) ?? .line
        linePattern = text?["pattern"]?.stringValue
        skipEmpty = text?["skip_empty"]?.boolValue ?? true
        html = o["html"]?.objectValue ?? JSONObject()
        xml = o["xml"]?.objectValue ?? JSONObject()
        mediawiki = o["mediawiki"]?.objectValue ?? JSONObject()
        jsonPath = path
    }

    /// GB2312 and GBK files are decoded as GB18030, their superset: files labelled GBK routinely
    /// hold characters only GB18030 can encode, and GB18030 decodes every valid GBK byte the same.
    static func effectiveEncoding(_ name: String) -> String {
        switch name.lowercased().filter({ $0 != "-" && $0 != "_" }) {
        case "gbk", "gb2312", "cp936", "windows936", "euccn": "gb18030"
        default: name
        }
    }

    /// Whether the text encoding is UTF-8 (the fast path: no conversion).
    public var isUTF8: Bool {
        let e = encoding.lowercased().replacingOccurrencesOfDash()
        return e == "utf8"
    }
}

extension String {
    fileprivate func replacingOccurrencesOfDash() -> String { String(filter { $0 != "-" && $0 != "_" }) }
}

/// One stage entry: its name, raw configuration and position.
public struct StageDefinition: Sendable {
    public var name: String
    public var config: JSONObject
    public var index: Int
    /// JSON path of the stage's configuration object.
    public var path: String
}
