import Foundation
import HTTPTypes
import Hummingbird

extension BrowserSessions {
    /// Where a page that needs a signed-in person sends one who is not: the login page, returning to `path`.
    static func loginRedirect(returning path: String) -> Response {
        let query =
            path.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(.init(charactersIn: "-"))) ?? ""
        return Response(status: .seeOther, headers: [.location: "/login?return=\(query)", .cacheControl: "no-store"])
    }
}
