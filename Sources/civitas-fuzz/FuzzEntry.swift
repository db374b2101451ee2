import CivitasCore
import Exchange
import Trust

/// Fuzz targets for the parsers of untrusted input: text in CivitasCore (X-Road identifiers included), DER in Trust
/// and Exchange.
///
/// Built with `-sanitize=fuzzer -D CIVITAS_FUZZ`, this is a libFuzzer binary (see `scripts/fuzz`); built
/// normally, it replays the files named on the command line, so that a crashing input found once stays
/// a regression test. The first byte of an input picks the parser; every parser must not crash, and
/// every value it accepts must print back to the text it came from.
enum FuzzTargets {
    static func run(_ bytes: UnsafeRawBufferPointer) {
        guard let selector = bytes.first else { return }
        let text = String(decoding: bytes.dropFirst(), as: UTF8.self)
        let der = Array(bytes.dropFirst())
        switch selector % 12 {
        case 0:
            if let number = try? PersonalNumber(text) {
                precondition(number.rawValue == text, "a parsed personal number prints back unchanged")
                precondition((try? PersonalNumber(number.rawValue)) == number)
            }
        case 1:
            if let date = try? CalendarDate(text) {
                precondition(date.description == text, "a parsed date prints back unchanged")
            }
        case 2:
            _ = Language.negotiate(acceptLanguage: text)
        case 3:
            let fields = FormFields(text)
            _ = fields["_csrf"]
        case 4:
            _ = GeorgianTransliteration.latin(text, style: .document)
            _ = GeorgianTransliteration.latin(text, style: .national)
        case 5:
            if let request = try? TimeStampRequest(derEncoded: der) {
                _ = request.hashedMessage
            }
        case 6:
            _ = try? TimeStampResponse(derEncoded: der)
        case 7:
            if let request = try? OCSPRequest(derEncoded: der) {
                precondition(request.certIDs.count <= OCSPRequest.defaultMaximumCertIDs)
            }
        case 8:
            _ = try? CMSSignedData(contentInfoDER: der)
        case 9:
            // What an OCSP client reads from a responder it does not control.
            if let response = try? OCSPResponse(derEncoded: der), let basic = response.basicResponse {
                precondition(response.status == .successful, "only a successful response carries a basic response")
                for single in basic.responses { _ = basic.response(for: single.certID) }
            }
        case 10:
            if let evidence = try? MessageLogEvidence(derEncoded: der) {
                precondition(evidence.derEncoded == der, "accepted evidence encodes back to the same bytes")
                for item in evidence.items {
                    precondition((try? MessageLogRecord(derEncoded: item.record.derEncoded)) == item.record)
                    _ = item.record.hash
                }
            }
        case 11:
            if let client = try? XRoadClientIdentifier(text) {
                precondition(client.description == text, "a parsed X-Road client identifier prints back unchanged")
            }
            if let service = try? XRoadServiceIdentifier(text) {
                precondition(service.description == text, "a parsed X-Road service identifier prints back unchanged")
            }
            if let parsed = try? XRoadServiceIdentifier.parse(path: text) {
                precondition(parsed.rest.hasPrefix("/"), "the rest of a service path is a path")
                precondition(
                    (try? XRoadServiceIdentifier.parse(path: parsed.service.path))?.service == parsed.service,
                    "a service's path parses back to the service")
            }
        default:
            _ = try? CertificateRevocationList(derEncoded: der)
            _ = OCSPRequest.derBytes(fromGETPath: text)
        }
    }
}

#if CIVITAS_FUZZ
    @_cdecl("LLVMFuzzerTestOneInput")
    func fuzzOneInput(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
        FuzzTargets.run(UnsafeRawBufferPointer(start: data, count: size))
        return 0
    }

    /// libFuzzer's driver (`LLVMFuzzerRunDriver`, in the runtime `-sanitize=fuzzer` links).
    @_silgen_name("LLVMFuzzerRunDriver")
    func runFuzzerDriver(
        _ argc: UnsafeMutablePointer<Int32>,
        _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
        _ callback: @convention(c) (UnsafePointer<UInt8>, Int) -> Int32
    ) -> Int32

    /// SwiftPM links an executable's entry point as `<module>_main`; starting libFuzzer's driver from it
    /// keeps the runtime's own `main` out of the link.
    @_cdecl("civitas_fuzz_main")
    func fuzzMain(
        _ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>
    ) -> Int32 {
        var count = argc
        var arguments: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = argv
        return runFuzzerDriver(&count, &arguments) { data, size in fuzzOneInput(data, size) }
    }
#endif
