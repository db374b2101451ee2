import ArgumentParser
import Foundation
import Web

/// `civitas qrcode`: prints our QR code for a text (hidden from `--help`), so that tools nobody here wrote can
/// check it: segno compares the module matrix, zxing-cpp reads the PNG back (scripts/lib/system/qrcode.sh).
struct QRCodeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "qrcode", abstract: "Print the QR code of a text as a module matrix, PNG or SVG.",
        shouldDisplay: false)

    enum Format: String, ExpressibleByArgument, CaseIterable {
        case matrix, png, svg
    }

    @Option(help: "The text to encode.")
    var text: String?

    @Option(help: "Error correction level: L, M, Q or H.")
    var level: String = "M"

    @Option(help: "Use this version (1-40) instead of the smallest that fits.")
    var version: Int?

    @Option(help: "Use this mask pattern (0-7) instead of the best-scoring one.")
    var mask: Int?

    @Option(help: "What to print: matrix (a header line, then one line of 0 and 1 per row), png or svg.")
    var format: Format = .matrix

    @Option(help: "Pixels a module (PNG) or CSS pixels a module (SVG).")
    var scale: Int = 4

    @Option(help: "Light modules around the symbol.")
    var quietZone: Int = 4

    @Option(help: "The SVG's accessible title.")
    var title: String = "QR code"

    @Option(name: .customLong("out"), help: "Where to write the PNG or SVG (default: standard output).")
    var output: String?

    @Flag(
        help: """
            Read JSON lines {"text", "level", "version"?, "mask"?, "png"?, "scale"?, "svg"?, "title"?} from standard input and \
            print one JSON line each: the version, level, mask, mode and rows, the PNG (base64) and SVG if asked, or \
            {"error": CODE}.
            """)
    var batch = false

    func validate() throws {
        guard QRCode.Correction(rawValue: level.uppercased()) != nil else {
            throw ValidationError("--level must be L, M, Q or H")
        }
        guard batch || text != nil else { throw ValidationError("give --text, or --batch") }
    }

    func run() throws {
        if batch {
            try runBatch()
            return
        }
        let correction = QRCode.Correction(rawValue: level.uppercased())!
        let code = try QRCode(text: text ?? "", correction: correction, version: version, mask: mask)
        let bytes: [UInt8]
        switch format {
        case .matrix: bytes = Array(Self.matrixText(code).utf8)
        case .png: bytes = try code.png(scale: scale, quietZone: quietZone)
        case .svg: bytes = Array(try code.svg(moduleSize: scale, quietZone: quietZone, title: title).utf8)
        }
        if let output {
            try Data(bytes).write(to: URL(fileURLWithPath: output))
        } else {
            FileHandle.standardOutput.write(Data(bytes))
        }
    }

    static func matrixText(_ code: QRCode) -> String {
        var lines = ["version \(code.version) level \(code.correction.rawValue) mask \(code.mask) mode \(code.mode)"]
        lines += rows(code)
        return lines.joined(separator: "\n") + "\n"
    }

    static func rows(_ code: QRCode) -> [String] {
        (0..<code.size).map { y in String((0..<code.size).map { x in code.isDark(x: x, y: y) ? "1" : "0" }) }
    }

    private func runBatch() throws {
        while let line = readLine(strippingNewline: true) {
            guard !line.isEmpty else { continue }
            var answer: [String: Any]
            do {
                answer = try Self.answer(to: line)
            } catch let error as QRCodeError {
                answer = ["error": "\(error.code)"]
            } catch {
                answer = ["error": "badRequest"]
            }
            let data = try JSONSerialization.data(withJSONObject: answer, options: [.sortedKeys])
            FileHandle.standardOutput.write(data + Data("\n".utf8))
        }
    }

    private static func answer(to line: String) throws -> [String: Any] {
        guard let request = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
            let text = request["text"] as? String,
            let correction = QRCode.Correction(rawValue: (request["level"] as? String ?? "M").uppercased())
        else { throw ValidationError("a batch line is {\"text\": ..., \"level\": ...}") }
        let code = try QRCode(
            text: text, correction: correction, version: request["version"] as? Int, mask: request["mask"] as? Int)
        var answer: [String: Any] = [
            "version": code.version, "level": code.correction.rawValue, "mask": code.mask,
            "mode": code.mode.rawValue, "size": code.size, "rows": rows(code),
        ]
        if request["png"] as? Bool == true {
            let png = try code.png(scale: request["scale"] as? Int ?? 4, quietZone: 4)
            answer["png"] = Data(png).base64EncodedString()
        }
        if request["svg"] as? Bool == true {
            answer["svg"] = try code.svg(moduleSize: 4, quietZone: 4, title: request["title"] as? String ?? "QR code")
        }
        return answer
    }
}
