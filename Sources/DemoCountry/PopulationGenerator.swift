public import CivitasCore

/// The demo country's population: a deterministic, random-looking collection of ``SyntheticPerson`` values.
///
/// Person `k` depends only on the seed, `k` and the reference date, never on `count` or on the persons
/// before it. So the same seed always gives the same persons in the same order, a population of 1,000 is
/// the first 1,000 persons of a population of 1,000,000, and a large population can be generated in
/// parallel chunks with ``persons(in:)`` and concatenated.
///
/// Personal numbers are unique within a population of any size up to 10^10: the serial of person `k` is
/// `k` sent through a four-round Feistel network over its two five-digit halves, keyed by the seed. A
/// Feistel network is a bijection on [0, 10^10), so serials look random yet never collide.
///
/// The distributions are modelled on Georgia's: ages 0–100 follow a population pyramid (narrow at the
/// bottom, wide in the thirties and sixties, women outliving men), about 51% are female, given names are
/// sex-specific and differ between people born before and after 1995, family names follow a long-tailed
/// frequency curve and are the same for women and men, and about 2% are Korean residents of working age.
/// Addresses are in ten fictional towns with Georgian street names.
///
/// Generation uses neither Foundation nor formatted strings: well under a microsecond per person in a release
/// build, so a million persons take a fraction of a second.
public struct PopulationGenerator: Sendable {
    /// The seed that, with the index, determines every person.
    public let seed: UInt64

    /// The number of persons in the population.
    public let count: Int

    /// The day on which ages are reckoned; nobody is born after it.
    public let referenceDate: CalendarDate

    private let tables: Tables
    private let personKey: UInt64
    private let serialKeys: (UInt64, UInt64, UInt64, UInt64)
    private let foreignThreshold: UInt64

    /// Makes the population of `count` persons for `seed`, with ages reckoned on `referenceDate`.
    ///
    /// - Precondition: `0 <= count <= 10^10` (the number of distinct personal numbers), and
    ///   `referenceDate.year > 101`, so that a 100-year-old's birth date is a valid ``CalendarDate``.
    public init(seed: UInt64 = 2026, count: Int, referenceDate: CalendarDate) {
        precondition(count >= 0 && UInt64(count) <= 10_000_000_000, "count must be 0...10^10")
        precondition(referenceDate.year > Self.maximumAge + 1, "the reference date must be after the year 101")
        self.seed = seed
        self.count = count
        self.referenceDate = referenceDate
        self.tables = Tables.shared
        var keys = SplitMix64(state: seed)
        self.personKey = keys.next()
        self.serialKeys = (keys.next(), keys.next(), keys.next(), keys.next())
        self.foreignThreshold = Self.threshold(probability: 0.02)
    }

    /// The person with the given index.
    ///
    /// - Precondition: `0 <= index < count`.
    public func person(at index: Int) -> SyntheticPerson {
        precondition(index >= 0 && index < count, "person index out of range")
        var random = SplitMix64(state: SplitMix64.mix(personKey ^ UInt64(index)))
        let personalNumber = PersonalNumber(serial: serial(for: UInt64(index)))

        if random.next() < foreignThreshold {
            return foreignResident(personalNumber, random: &random)
        }

        let cell = tables.ageAndSex.index(random.next())
        let sex: SyntheticPerson.Sex = cell % 2 == 0 ? .female : .male
        let band = cell / 2
        let bandWidth = band == Tables.ageBandCount - 1 ? Self.maximumAge + 1 - band * 5 : 5
        let age = band * 5 + random.below(bandWidth)
        let birthDate = self.birthDate(age: age, random: &random)

        let givenNames: NameList
        if birthDate.year >= Tables.modernNamesFrom {
            givenNames = sex == .female ? tables.femaleModern : tables.maleModern
        } else {
            givenNames = sex == .female ? tables.femaleClassic : tables.maleClassic
        }
        let given = random.below(givenNames.georgian.count)
        let family = tables.familyNameWeights.index(random.next())

        return SyntheticPerson(
            personalNumber: personalNumber,
            givenName: givenNames.georgian[given],
            familyName: tables.familyNames.georgian[family],
            givenNameLatin: givenNames.latin[given],
            familyNameLatin: tables.familyNames.latin[family],
            hangulName: nil,
            birthDate: birthDate,
            sex: sex,
            citizenship: SyntheticPerson.demoCountryCode,
            address: address(random: &random)
        )
    }

    /// The persons with indices in `range`, in order; equal to the same slice of the whole population.
    ///
    /// - Precondition: `range` lies within `0..<count`.
    public func persons(in range: Range<Int>) -> [SyntheticPerson] {
        precondition(range.lowerBound >= 0 && range.upperBound <= count, "person range out of bounds")
        var result: [SyntheticPerson] = []
        result.reserveCapacity(range.count)
        for index in range {
            result.append(person(at: index))
        }
        return result
    }

    static let maximumAge = 100

    /// A Korean resident: working age, a Korean name in Hangul with its romanisation and the Georgian-script
    /// rendering the register keeps.
    private func foreignResident(_ personalNumber: PersonalNumber, random: inout SplitMix64) -> SyntheticPerson {
        let sex: SyntheticPerson.Sex = random.below(100) < 48 ? .female : .male
        let age = 18 + random.below(47)
        let birthDate = self.birthDate(age: age, random: &random)
        let givenNames = sex == .female ? tables.koreanFemale : tables.koreanMale
        let given = givenNames[random.below(givenNames.count)]
        let family = tables.koreanFamilyNames[tables.koreanFamilyNameWeights.index(random.next())]
        return SyntheticPerson(
            personalNumber: personalNumber,
            givenName: given.georgian,
            familyName: family.georgian,
            givenNameLatin: given.latin,
            familyNameLatin: family.latin,
            hangulName: family.hangul + given.hangul,
            birthDate: birthDate,
            sex: sex,
            citizenship: "KOR",
            address: address(random: &random)
        )
    }

    /// A birth date uniformly among the days on which someone aged exactly `age` on the reference date
    /// could have been born: after the reference date `age + 1` years back, up to the date `age` years back.
    private func birthDate(age: Int, random: inout SplitMix64) -> CalendarDate {
        let latest = daysSince1970(yearsBefore: age)
        let earliest = daysSince1970(yearsBefore: age + 1) + 1
        return CalendarDate(daysSince1970: earliest + random.below(latest - earliest + 1))
    }

    /// The reference date moved back by whole years; 29 February becomes 28 February in a common year.
    private func daysSince1970(yearsBefore years: Int) -> Int {
        referenceDate.addingYears(-years).daysSince1970
    }

    private func address(random: inout SplitMix64) -> SyntheticPerson.PostalAddress {
        let town = tables.towns[tables.townWeights.index(random.next())]
        let district = random.below(town.districts.count)
        // Most houses have low numbers; long avenues reach into the hundreds.
        var number = 1 + random.below(40)
        if random.below(4) == 0 {
            number += random.below(160)
        }
        var houseNumber = tables.numbers[number]
        if random.below(25) == 0 {
            houseNumber += tables.houseLetters[random.below(tables.houseLetters.count)]
        }
        let flat: Int? = random.below(100) < town.flatPercentage ? 1 + random.below(120) : nil
        return SyntheticPerson.PostalAddress(
            city: town.name,
            district: town.districts[district],
            street: tables.streets[random.below(tables.streets.count)],
            houseNumber: houseNumber,
            flat: flat,
            postcode: town.postcodes[district]
        )
    }

    /// A four-round Feistel network on the two five-digit halves of `index`: a bijection on [0, 10^10).
    private func serial(for index: UInt64) -> UInt64 {
        let half: UInt64 = 100_000
        var left = index / half
        var right = index % half
        func round(_ key: UInt64) {
            let mixed = (left + SplitMix64.mix(right ^ key) % half) % half
            left = right
            right = mixed
        }
        round(serialKeys.0)
        round(serialKeys.1)
        round(serialKeys.2)
        round(serialKeys.3)
        return left * half + right
    }

    private static func threshold(probability: Double) -> UInt64 {
        UInt64(probability * 18_446_744_073_709_551_616.0)
    }
}

extension PopulationGenerator: RandomAccessCollection {
    /// The index of the first person, 0.
    public var startIndex: Int { 0 }

    /// One past the index of the last person, ``count``.
    public var endIndex: Int { count }

    /// The person with the given index, as ``person(at:)``.
    public subscript(position: Int) -> SyntheticPerson {
        person(at: position)
    }
}

extension PopulationGenerator {
    /// Sebastiano Vigna's SplitMix64: tiny, fast, and good enough to drive synthetic data; its finaliser
    /// also turns a seed and an index into an unrelated starting state.
    struct SplitMix64 {
        var state: UInt64

        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            return Self.mix(state)
        }

        /// A number in `0..<bound`, by the high half of a 64×64-bit product (Lemire); the bias is below
        /// 2^-50 for the small bounds used here.
        mutating func below(_ bound: Int) -> Int {
            Int(truncatingIfNeeded: next().multipliedFullWidth(by: UInt64(bound)).high)
        }

        static func mix(_ value: UInt64) -> UInt64 {
            var z = value
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    /// Picks an index with probability proportional to its weight, from the top 32 bits of a random number.
    struct WeightedIndex {
        private let cumulative: [UInt64]

        init(_ weights: [Double]) {
            let total = weights.reduce(0, +)
            var partial = 0.0
            var cumulative: [UInt64] = []
            for weight in weights {
                partial += weight
                cumulative.append(UInt64(partial / total * 4_294_967_296.0 + 0.5))
            }
            cumulative[cumulative.count - 1] = 1 << 32
            self.cumulative = cumulative
        }

        func index(_ random: UInt64) -> Int {
            let point = random >> 32
            var low = 0
            var high = cumulative.count - 1
            while low < high {
                let middle = (low + high) / 2
                if point < cumulative[middle] {
                    high = middle
                } else {
                    low = middle + 1
                }
            }
            return low
        }
    }

    /// Names in Georgian script, with their document-style romanisations at the same positions.
    struct NameList {
        let georgian: [String]
        let latin: [String]

        init(_ georgian: [String]) {
            self.georgian = georgian
            self.latin = georgian.map { GeorgianTransliteration.latin($0, style: .document) }
        }
    }

    /// A Korean name part: Hangul, Latin as in a passport, and a Georgian-script rendering.
    struct KoreanName {
        let hangul: String
        let latin: String
        let georgian: String
    }

    struct Town {
        let name: String
        let districts: [String]
        let postcodes: [String]
        /// The share of residents, in percent, who live in a block of flats.
        let flatPercentage: Int

        init(_ name: String, postcode: Int, flatPercentage: Int, districts: [String]) {
            self.name = name
            self.districts = districts
            self.postcodes = districts.indices.map { Tables.fourDigits(postcode + 10 * $0 + 2) }
            self.flatPercentage = flatPercentage
        }
    }

    /// Everything a person is drawn from, built once and shared by every generator.
    struct Tables {
        static let shared = Tables()

        /// People born in this year or later get names from the modern lists.
        static let modernNamesFrom = 1995
        static let ageBandCount = 20

        let ageAndSex: WeightedIndex
        let femaleClassic: NameList
        let femaleModern: NameList
        let maleClassic: NameList
        let maleModern: NameList
        let familyNames: NameList
        let familyNameWeights: WeightedIndex
        let koreanFemale: [KoreanName]
        let koreanMale: [KoreanName]
        let koreanFamilyNames: [KoreanName]
        let koreanFamilyNameWeights: WeightedIndex
        let towns: [Town]
        let townWeights: WeightedIndex
        let streets: [String]
        let numbers: [String]
        let houseLetters: [String]

        init() {
            var ageAndSex: [Double] = []
            for (female, male) in zip(Self.femaleByAgeBand, Self.maleByAgeBand) {
                ageAndSex += [female, male]
            }
            self.ageAndSex = WeightedIndex(ageAndSex)
            self.femaleClassic = NameList(Self.femaleTimeless + Self.femaleClassicOnly)
            self.femaleModern = NameList(Self.femaleTimeless + Self.femaleModernOnly)
            self.maleClassic = NameList(Self.maleTimeless + Self.maleClassicOnly)
            self.maleModern = NameList(Self.maleTimeless + Self.maleModernOnly)
            self.familyNames = NameList(Self.georgianFamilyNames)
            // A long tail: the commonest name is about 2.5% of the population, the rarest about 0.4%.
            self.familyNameWeights = WeightedIndex(Self.georgianFamilyNames.indices.map { 1 / Double($0 + 20) })
            self.koreanFemale = Self.koreanFemaleGivenNames
            self.koreanMale = Self.koreanMaleGivenNames
            self.koreanFamilyNames = Self.koreanFamilyNameTable.map(\.name)
            self.koreanFamilyNameWeights = WeightedIndex(Self.koreanFamilyNameTable.map(\.percent))
            self.towns = Self.townTable.map(\.town)
            self.townWeights = WeightedIndex(Self.townTable.map(\.weight))
            self.streets = Self.streetNames
            self.numbers = (0...200).map { String($0) }
            self.houseLetters = ["ა", "ბ", "გ"]
        }

        static func fourDigits(_ number: Int) -> String {
            let digits = String(number)
            return String(repeating: "0", count: Swift.max(0, 4 - digits.count)) + digits
        }

        // MARK: Ages

        /// Relative numbers of women per five-year age band (0–4, 5–9, …, 90–94, 95–100), shaped like
        /// Georgia's population pyramid of the 2020s.
        static let femaleByAgeBand: [Double] = [
            132, 141, 127, 113, 108, 124, 144, 142, 134, 128, 124, 127, 127, 110, 84, 52, 42, 25, 8, 2,
        ]

        /// Relative numbers of men per five-year age band: more boys are born, fewer men grow old.
        static let maleByAgeBand: [Double] = [
            140, 150, 135, 120, 115, 130, 150, 145, 135, 125, 115, 112, 105, 85, 60, 32, 22, 11, 3, 0.6,
        ]

        // MARK: Georgian given names

        static let femaleTimeless = [
            "ანა", "ნინო", "მარიამ", "თამარ", "ეკატერინე", "ნათია", "ქეთევან", "ელენე", "სოფიო", "თეონა",
            "ნესტან", "სალომე", "ბარბარე", "ხატია", "ნატო", "თეა", "გვანცა",
        ]

        static let femaleClassicOnly = [
            "მაია", "ნანა", "ლია", "ლელა", "მანანა", "ირინე", "ნათელა", "თინათინ", "ხათუნა", "ლალი",
            "მარინე", "თამუნა", "ეკა", "ია", "ციცინო", "მზია", "ლამარა", "ციალა", "ეთერ", "მედეა",
            "ლეილა", "ნონა", "რუსუდან", "დარეჯან", "ლუიზა", "ცირა", "შორენა", "მაგდა", "ნუნუ", "ქეთი",
            "ინგა", "ირმა", "ნატალია", "მაკა", "ლიანა", "ნინელი", "ელისო", "გულნარა", "ლილი",
        ]

        static let femaleModernOnly = [
            "ლიკა", "ნინი", "ანანო", "ელისაბედ", "ნუცა", "ქრისტინე", "ნია", "ლიზი", "ანი", "სოფია",
            "თეკლე", "დიანა", "ლანა", "ანასტასია", "ევა", "მარი",
        ]

        static let maleTimeless = [
            "გიორგი", "დავით", "ალექსანდრე", "ნიკოლოზ", "ირაკლი", "ლევან", "ლაშა", "ილია", "ბექა", "დიმიტრი",
            "ვახტანგ", "შოთა", "თორნიკე", "ერეკლე", "მიხეილ",
        ]

        static let maleClassicOnly = [
            "ზურაბ", "გია", "გოჩა", "თემურ", "რევაზ", "მერაბ", "ზვიად", "მამუკა", "ბესიკ", "კახა",
            "ნოდარ", "ომარ", "ოთარ", "პაატა", "რამაზ", "ტარიელ", "ვაჟა", "ზაზა", "გელა", "გივი",
            "გურამ", "ჯემალ", "თამაზ", "ავთანდილ", "ბადრი", "ბიძინა", "ელგუჯა", "ვასილ", "იოსებ", "ლადო",
            "სერგო", "სოსო", "ფრიდონ", "შალვა", "აკაკი", "ანზორ", "არჩილ", "თენგიზ", "კობა", "ნუგზარ",
            "ალეკო", "გრიგოლ", "დათო", "ვლადიმერ", "ჯონდო", "ლერი", "მალხაზ", "ემზარ",
        ]

        static let maleModernOnly = [
            "ლუკა", "ნიკა", "საბა", "დაჩი", "სანდრო", "ცოტნე", "ბაჩანა", "დემნა", "გაბრიელ", "იაგო",
            "რატი", "უჩა", "კონსტანტინე", "ანდრია", "მათე", "თედო", "იოანე", "ლაზარე",
        ]

        // MARK: Georgian family names

        /// Real Georgian family names, roughly from commoner to rarer, covering the usual endings:
        /// -ძე (son of), -შვილი (child of), the Mingrelian -ია/-უა/-ავა, the Svan -ანი, the mountain -ური/-ული.
        static let georgianFamilyNames = [
            "ბერიძე", "კაპანაძე", "გელაშვილი", "მაისურაძე", "გიორგაძე", "ლომიძე", "ცერცვაძე", "ბოლქვაძე",
            "ნოზაძე", "ხუციშვილი", "ტაბატაძე", "მელაძე", "ჯაფარიძე", "აბულაძე", "ქავთარაძე", "ბაქრაძე",
            "ნიკოლაიშვილი", "დოლიძე", "კვარაცხელია", "მამულაშვილი", "შენგელაძე", "მჭედლიძე", "კიკნაძე",
            "ბურჭულაძე", "ნატროშვილი", "ჯიქია", "ხვიჩია", "გაბუნია", "ლორთქიფანიძე", "დვალიძე", "ბაკურაძე",
            "გოგოლაძე", "ბარათაშვილი", "კობახიძე", "ნადირაძე", "წიკლაური", "ჩიქოვანი", "მამალაძე",
            "ჯავახიშვილი", "კაკაბაძე", "ბაღათურია", "ელიზბარაშვილი", "სურმანიძე", "ცინცაძე", "ფხაკაძე",
            "კვირიკაშვილი", "გელაძე", "შონია", "ლეჟავა", "თოფურიძე", "ბეჟანიშვილი", "შარაშიძე", "ჩხეიძე",
            "ჟვანია", "მესხიძე", "გოგიჩაიშვილი", "აბაშიძე", "ბექაური", "ქობულია", "სიხარულიძე", "ღვინიაშვილი",
            "მაჭავარიანი", "ალავიძე", "ჩიქობავა", "სვანიძე", "მერაბიშვილი", "გაბელია", "ჭილაძე", "ბურდული",
            "გოცირიძე", "ნინოშვილი", "ცხადაია", "ლომსაძე", "გიორგობიანი", "კობიაშვილი", "ხურცილავა",
            "შალამბერიძე", "კაკულია", "ჩიტაშვილი", "ჭინჭარაული", "ჯანელიძე", "მიქაია", "დავითაშვილი",
            "ყიფიანი", "სულაბერიძე", "ჭანტურია", "თაბუკაშვილი", "ქარჩავა", "ოქროპირიძე", "არაბული",
            "ქართველიშვილი", "შენგელია", "წულაძე", "ორბელიანი", "ბაბუნაშვილი", "ტოლორაია", "კახიძე",
            "გოგოჭური", "მესხიშვილი", "ჩაჩავა", "ხმალაძე", "ცომაია", "ჩოლოყაშვილი", "დადიანი", "თევზაძე",
            "ფიფია", "თუმანიშვილი", "ქისტაური", "ესებუა", "ლიპარტელიანი", "ტატიშვილი", "ბოკუჩავა",
            "ხარაიშვილი", "გოგუა", "ზვიადაური", "ფარჯიანი", "ზაქარიაშვილი", "წერეთელი", "ჯოჯუა",
            "იოსელიანი", "გოგიაშვილი", "ოჩიაური", "მაჩაბელი", "ჯიჯეიშვილი", "ჩხეტიანი", "ამილახვარი",
            "მაჭარაშვილი", "ფიცხელაური", "ერისთავი", "ბოჭორიშვილი", "ყაზბეგი",
        ]

        // MARK: Korean names

        // Given names are in the Revised Romanization of Korean (2000), syllables joined without a hyphen
        // and without sound changes, as the rules prescribe for personal names; names whose romanisation
        // would split ambiguously (건우 Geonu) and names common for both sexes are left out. The rules leave
        // family names to be settled separately, so family names take the spelling nearly all holders use in
        // their passports (Kim, Lee, Park). There is no standard for writing Korean in Georgian script: the
        // Georgian forms are a plain phonetic rendering (eo → ო, eu → ი, ae → ე, final ng → ნ), and family
        // names follow the Georgian press (კიმ, პაკ).

        static let koreanFemaleGivenNames = [
            KoreanName(hangul: "서연", latin: "Seoyeon", georgian: "სოიონ"),
            KoreanName(hangul: "서윤", latin: "Seoyun", georgian: "სოიუნ"),
            KoreanName(hangul: "서현", latin: "Seohyeon", georgian: "სოჰიონ"),
            KoreanName(hangul: "민서", latin: "Minseo", georgian: "მინსო"),
            KoreanName(hangul: "하윤", latin: "Hayun", georgian: "ჰაიუნ"),
            KoreanName(hangul: "윤서", latin: "Yunseo", georgian: "იუნსო"),
            KoreanName(hangul: "지유", latin: "Jiyu", georgian: "ჯიიუ"),
            KoreanName(hangul: "채원", latin: "Chaewon", georgian: "ჩევონ"),
            KoreanName(hangul: "수아", latin: "Sua", georgian: "სუა"),
            KoreanName(hangul: "지아", latin: "Jia", georgian: "ჯია"),
            KoreanName(hangul: "예린", latin: "Yerin", georgian: "იერინ"),
            KoreanName(hangul: "소율", latin: "Soyul", georgian: "სოიულ"),
            KoreanName(hangul: "예원", latin: "Yewon", georgian: "იევონ"),
            KoreanName(hangul: "유나", latin: "Yuna", georgian: "იუნა"),
            KoreanName(hangul: "민지", latin: "Minji", georgian: "მინჯი"),
            KoreanName(hangul: "혜진", latin: "Hyejin", georgian: "ჰეჯინ"),
            KoreanName(hangul: "은지", latin: "Eunji", georgian: "ინჯი"),
            KoreanName(hangul: "미영", latin: "Miyeong", georgian: "მიიონ"),
            KoreanName(hangul: "영희", latin: "Yeonghui", georgian: "იონჰი"),
            KoreanName(hangul: "지혜", latin: "Jihye", georgian: "ჯიჰე"),
        ]

        static let koreanMaleGivenNames = [
            KoreanName(hangul: "민준", latin: "Minjun", georgian: "მინჯუნ"),
            KoreanName(hangul: "서준", latin: "Seojun", georgian: "სოჯუნ"),
            KoreanName(hangul: "도윤", latin: "Doyun", georgian: "დოიუნ"),
            KoreanName(hangul: "예준", latin: "Yejun", georgian: "იეჯუნ"),
            KoreanName(hangul: "시우", latin: "Siu", georgian: "სიუ"),
            KoreanName(hangul: "하준", latin: "Hajun", georgian: "ჰაჯუნ"),
            KoreanName(hangul: "주원", latin: "Juwon", georgian: "ჯუვონ"),
            KoreanName(hangul: "지호", latin: "Jiho", georgian: "ჯიჰო"),
            KoreanName(hangul: "지후", latin: "Jihu", georgian: "ჯიჰუ"),
            KoreanName(hangul: "준서", latin: "Junseo", georgian: "ჯუნსო"),
            KoreanName(hangul: "도현", latin: "Dohyeon", georgian: "დოჰიონ"),
            KoreanName(hangul: "지훈", latin: "Jihun", georgian: "ჯიჰუნ"),
            KoreanName(hangul: "우진", latin: "Ujin", georgian: "უჯინ"),
            KoreanName(hangul: "민재", latin: "Minjae", georgian: "მინჯე"),
            KoreanName(hangul: "현준", latin: "Hyeonjun", georgian: "ჰიონჯუნ"),
            KoreanName(hangul: "성민", latin: "Seongmin", georgian: "სონმინ"),
            KoreanName(hangul: "동현", latin: "Donghyeon", georgian: "დონჰიონ"),
            KoreanName(hangul: "재원", latin: "Jaewon", georgian: "ჯევონ"),
            KoreanName(hangul: "승민", latin: "Seungmin", georgian: "სინმინ"),
            KoreanName(hangul: "태윤", latin: "Taeyun", georgian: "თეიუნ"),
            KoreanName(hangul: "영호", latin: "Yeongho", georgian: "იონჰო"),
        ]

        /// The twenty commonest Korean family names with their approximate share of the population of Korea,
        /// in percent (2015 census).
        static let koreanFamilyNameTable: [(name: KoreanName, percent: Double)] = [
            (KoreanName(hangul: "김", latin: "Kim", georgian: "კიმ"), 21.5),
            (KoreanName(hangul: "이", latin: "Lee", georgian: "ლი"), 14.7),
            (KoreanName(hangul: "박", latin: "Park", georgian: "პაკ"), 8.4),
            (KoreanName(hangul: "최", latin: "Choi", georgian: "ჩოი"), 4.7),
            (KoreanName(hangul: "정", latin: "Jung", georgian: "ჯონ"), 4.3),
            (KoreanName(hangul: "강", latin: "Kang", georgian: "კან"), 2.4),
            (KoreanName(hangul: "조", latin: "Cho", georgian: "ჩო"), 2.1),
            (KoreanName(hangul: "윤", latin: "Yoon", georgian: "იუნ"), 2.1),
            (KoreanName(hangul: "장", latin: "Jang", georgian: "ჯან"), 2.0),
            (KoreanName(hangul: "임", latin: "Lim", georgian: "ლიმ"), 1.7),
            (KoreanName(hangul: "한", latin: "Han", georgian: "ჰან"), 1.5),
            (KoreanName(hangul: "오", latin: "Oh", georgian: "ო"), 1.5),
            (KoreanName(hangul: "서", latin: "Seo", georgian: "სო"), 1.5),
            (KoreanName(hangul: "신", latin: "Shin", georgian: "შინ"), 1.5),
            (KoreanName(hangul: "권", latin: "Kwon", georgian: "კვონ"), 1.4),
            (KoreanName(hangul: "황", latin: "Hwang", georgian: "ჰვან"), 1.4),
            (KoreanName(hangul: "안", latin: "Ahn", georgian: "ან"), 1.4),
            (KoreanName(hangul: "송", latin: "Song", georgian: "სონ"), 1.3),
            (KoreanName(hangul: "류", latin: "Ryu", georgian: "რიუ"), 0.6),
            (KoreanName(hangul: "홍", latin: "Hong", georgian: "ჰონ"), 1.1),
        ]

        // MARK: Places

        /// Ten fictional towns, with relative populations; the capital is Lomiskari ("lion's gate").
        static let townTable: [(town: Town, weight: Double)] = [
            (
                Town(
                    "ლომისკარი", postcode: 100, flatPercentage: 75,
                    districts: [
                        "ძველი ქალაქი", "ახალი ქალაქი", "სადგურის უბანი", "უნივერსიტეტის უბანი", "ბაღების უბანი",
                        "მდინარისპირა",
                    ]
                ), 30
            ),
            (
                Town(
                    "ზღვისპირა", postcode: 6000, flatPercentage: 65,
                    districts: ["ცენტრი", "ნავსადგურის უბანი", "კურორტის უბანი", "ახალი ქალაქი"]
                ), 12
            ),
            (
                Town(
                    "მთისძირი", postcode: 4600, flatPercentage: 55,
                    districts: ["ცენტრი", "ზემო უბანი", "ქვემო უბანი", "სამრეწველო უბანი"]
                ), 10
            ),
            (
                Town(
                    "ვერცხლისხევი", postcode: 3500, flatPercentage: 45,
                    districts: ["ცენტრი", "მაღაროს უბანი", "მდინარისპირა"]
                ), 8
            ),
            (
                Town(
                    "ცისკარა", postcode: 2200, flatPercentage: 40,
                    districts: ["ცენტრი", "ვენახების უბანი", "სადგურის უბანი"]
                ), 7
            ),
            (
                Town(
                    "ახალვაზი", postcode: 1500, flatPercentage: 35,
                    districts: ["ცენტრი", "ვენახების უბანი", "ბაღების უბანი"]
                ), 7
            ),
            (
                Town(
                    "წყაროსთავი", postcode: 5300, flatPercentage: 40,
                    districts: ["ცენტრი", "კურორტის უბანი", "ზემო უბანი"]
                ), 6
            ),
            (
                Town(
                    "ბროწეულეთი", postcode: 2800, flatPercentage: 35,
                    districts: ["ცენტრი", "ბაღების უბანი", "ქვემო უბანი"]
                ), 6
            ),
            (
                Town(
                    "ნაძვიანი", postcode: 3800, flatPercentage: 30,
                    districts: ["ცენტრი", "ზემო უბანი", "ტყის უბანი"]
                ), 5
            ),
            (
                Town(
                    "ოქროსხევი", postcode: 4200, flatPercentage: 35,
                    districts: ["ცენტრი", "სადგურის უბანი", "მდინარისპირა"]
                ), 5
            ),
        ]

        /// Streets named as Georgian streets are: after poets, kings and saints, or after what is on them.
        static let streetNames = [
            "რუსთაველის გამზირი", "ჭავჭავაძის გამზირი", "აღმაშენებლის გამზირი", "თამარ მეფის გამზირი",
            "ვაჟა-ფშაველას გამზირი", "წერეთლის გამზირი", "ქეთევან წამებულის გამზირი", "ყაზბეგის გამზირი",
            "ბარათაშვილის ქუჩა", "გალაკტიონის ქუჩა", "გორგასლის ქუჩა", "ერეკლე მეორის ქუჩა",
            "ჯავახიშვილის ქუჩა", "მელიქიშვილის ქუჩა", "კოსტავას ქუჩა", "ნინოშვილის ქუჩა", "ფალიაშვილის ქუჩა",
            "ცოტნე დადიანის ქუჩა", "აბაშიძის ქუჩა", "ლესელიძის ქუჩა", "სადგურის ქუჩა", "ბაღის ქუჩა",
            "სკოლის ქუჩა", "მშვიდობის ქუჩა", "თავისუფლების მოედანი", "ვაზის ქუჩა", "მთის ქუჩა",
            "მდინარის ქუჩა", "ალუბლის ქუჩა", "ვენახის ქუჩა", "ახალგაზრდობის ქუჩა", "გამარჯვების ქუჩა",
        ]
    }
}
