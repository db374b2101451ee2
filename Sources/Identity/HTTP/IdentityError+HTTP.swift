import HTTPTypes
import Web

extension IdentityError {
    /// The HTTP answer: RFC 9457 problem details with a kebab-case code (`login-expired`), or, for a browser and
    /// the login pages' own refusals, the page named by `pageKey`.
    func problem(pageKey: String? = nil) -> HTTPProblem {
        let status: HTTPResponse.Status
        switch code {
        case .loginNotFound, .notFound: status = .notFound
        case .loginExpired: status = .gone
        case .loginAlreadyUsed, .alreadyRegistered, .invalidTransition: status = .conflict
        case .malformedAnswer, .invalidRecord: status = .badRequest
        case .insufficientAssurance: status = .unauthorized
        case .signatureRejected: status = .unprocessableContent
        default: status = .forbidden
        }
        return HTTPProblem(status, code: Self.kebab(code.description), detail: message, pageKey: pageKey)
    }

    /// `loginExpired` → `login-expired`.
    static func kebab(_ name: String) -> String {
        var out = ""
        for character in name {
            if character.isUppercase {
                out.append("-")
                out.append(contentsOf: character.lowercased())
            } else {
                out.append(character)
            }
        }
        return out
    }
}
