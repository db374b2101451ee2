import Foundation

/// The request bodies of the Consent API, with the specification's member names. Ids in bodies are ignored:
/// the path names the object.
extension ConsentRoutes {
    struct PolicyBody: Decodable {
        struct Policy: Decodable {
            var name: String
            var version: String
            var url: String
            var jurisdiction: String?
            var industrySector: String?
            var dataRetentionPeriodDays: Int?
            var geographicRestriction: String?
            var storageLocation: String?
        }
        var policy: Policy

        var value: ConsentPolicy {
            ConsentPolicy(
                id: "", name: policy.name, version: policy.version, url: policy.url,
                jurisdiction: policy.jurisdiction, industrySector: policy.industrySector,
                dataRetentionPeriodDays: policy.dataRetentionPeriodDays,
                geographicRestriction: policy.geographicRestriction, storageLocation: policy.storageLocation)
        }
    }

    struct DataAgreementBody: Decodable {
        struct Reference: Decodable { var id: String }
        struct Attribute: Decodable {
            var id: String?
            var name: String
            var sensitivity: String
            var category: String
        }
        struct Agreement: Decodable {
            var version: String
            var controller: DataAgreement.Controller?
            var policy: Reference?
            var purpose: String
            var lawfulBasis: String
            var dataUse: String?
            var dpia: String
            var active: Bool?
            var forgettable: Bool?
            var dataAttributes: [Attribute]?
        }
        var dataAgreement: Agreement

        var fields: ConsentStore.DataAgreementFields {
            let agreement = dataAgreement
            return ConsentStore.DataAgreementFields(
                version: agreement.version, controller: agreement.controller, policyID: agreement.policy?.id,
                purpose: agreement.purpose, lawfulBasis: agreement.lawfulBasis, dataUse: agreement.dataUse,
                dpia: agreement.dpia, active: agreement.active ?? true, forgettable: agreement.forgettable ?? false,
                dataAttributes: (agreement.dataAttributes ?? []).map {
                    DataAgreement.Attribute(
                        id: $0.id ?? "", name: $0.name, sensitivity: $0.sensitivity, category: $0.category)
                })
        }
    }

    struct IndividualBody: Decodable {
        struct Individual: Decodable {
            var externalId: String?
            var externalIdType: String?
            var identityProviderId: String?
        }
        var individual: Individual

        var fields: ConsentStore.IndividualFields {
            ConsentStore.IndividualFields(
                externalId: individual.externalId, externalIdType: individual.externalIdType,
                identityProviderId: individual.identityProviderId)
        }
    }

    struct ConsentRecordBody: Decodable {
        struct Record: Decodable { var optIn: Bool }
        var consentRecord: Record
    }

    struct WebhookBody: Decodable {
        struct Webhook: Decodable {
            var payloadUrl: String
            var contentType: String
            var disabled: Bool?
            var secretKey: String?
        }
        var webhook: Webhook
    }
}
