/// An individual's consent, or refusal, to one data agreement (GovStack Consent BB `ConsentRecord`), as its
/// newest revision says.
///
/// The agreement is given as it read in the revision consented to, not as it reads today.
public struct ConsentRecord: Sendable, Hashable, Codable {
    /// The record's id (`cr-` and 16 hex digits).
    public var id: String
    /// The agreement, as of ``dataAgreementRevision``.
    public var dataAgreement: DataAgreement
    /// The agreement's revision consented to.
    public var dataAgreementRevision: ConsentRevision
    /// That revision's hash.
    public var dataAgreementRevisionHash: String
    /// The individual.
    public var individual: ConsentIndividual
    /// `true`: opted in; `false`: said no, or withdrew.
    public var optIn: Bool
    /// `signed` or `unsigned`, kept by the service.
    public var state: String
    /// The names of the attributes actually shared (a person may untick optional ones); a Civitas addition.
    public var sharedAttributes: [String]
    /// The seal on the newest revision.
    public var signature: ConsentSignature?
}
