import CivitasCore
import Testing

@Suite("GeorgianTransliteration")
struct GeorgianTransliterationTests {
    @Test(
        "known place names romanise as on maps and road signs",
        arguments: [
            ("თბილისი", "Tbilisi", "Tbilisi"),
            ("ქუთაისი", "Kutaisi", "Kutaisi"),
            ("წყალტუბო", "Tsqaltubo", "Ts'q'alt'ubo"),
            ("ჭიათურა", "Chiatura", "Ch'iatura"),
            ("ბათუმი", "Batumi", "Batumi"),
            ("ზუგდიდი", "Zugdidi", "Zugdidi"),
            ("ფოთი", "Poti", "Poti"),
            ("ყვარელი", "Qvareli", "Q'vareli"),
            ("ხაშური", "Khashuri", "Khashuri"),
            ("ოზურგეთი", "Ozurgeti", "Ozurgeti"),
            ("ჟინვალი", "Zhinvali", "Zhinvali"),
            ("ღები", "Ghebi", "Ghebi"),
            ("ძეგვი", "Dzegvi", "Dzegvi"),
            ("ჯავახეთი", "Javakheti", "Javakheti"),
            ("ჰერეთი", "Hereti", "Hereti"),
            ("შატილი", "Shatili", "Shat'ili"),
            ("ცაგერი", "Tsageri", "Tsageri"),
            ("ჩოხატაური", "Chokhatauri", "Chokhat'auri"),
            ("პანკისი", "Pankisi", "P'ank'isi"),
            ("კასპი", "Kaspi", "K'asp'i"),
        ]
    )
    func romanisesPlaceNames(georgian: String, document: String, national: String) {
        #expect(GeorgianTransliteration.latin(georgian, style: .document) == document)
        #expect(GeorgianTransliteration.latin(georgian, style: .national) == national)
    }

    @Test("all 33 letters of the alphabet map by the 2002 national system")
    func mapsTheWholeAlphabet() {
        let alphabet = "აბგდევზთიკლმნოპჟრსტუფქღყშჩცძწჭხჯჰ"
        let national = [
            "a", "b", "g", "d", "e", "v", "z", "t", "i", "k'", "l", "m", "n", "o", "p'", "zh", "r",
            "s", "t'", "u", "p", "k", "gh", "q'", "sh", "ch", "ts", "dz", "ts'", "ch'", "kh", "j", "h",
        ]
        let letters = alphabet.map { GeorgianTransliteration.latin(" " + String($0), style: .national) }
        // A letter after a space starts a word, so compare lower-cased.
        #expect(letters.map { $0.lowercased() } == national.map { " " + $0 })
        #expect(
            GeorgianTransliteration.latin(alphabet, style: .document)
                == "Abgdevztiklmnopzhrstupkghqshchtsdztschkhjh"
        )
    }

    @Test("every word gets a capital initial, including after a hyphen and a full stop")
    func capitalisesEachWord() {
        #expect(GeorgianTransliteration.latin("რუსთაველის გამზირი", style: .document) == "Rustavelis Gamziri")
        #expect(GeorgianTransliteration.latin("ვაჟა-ფშაველას გამზირი", style: .document) == "Vazha-Pshavelas Gamziri")
        #expect(GeorgianTransliteration.latin("ქ. თბილისი", style: .document) == "K. Tbilisi")
        #expect(GeorgianTransliteration.latin("შოთა", style: .document) == "Shota")
        #expect(GeorgianTransliteration.latin("ჭავჭავაძე", style: .national) == "Ch'avch'avadze")
        #expect(GeorgianTransliteration.latin("წერეთელი", style: .national) == "Ts'ereteli")
    }

    @Test("Mtavruli capitals romanise as the Mkhedruli letters they stand for")
    func foldsMtavruli() {
        #expect(GeorgianTransliteration.latin("ᲗᲑᲘᲚᲘᲡᲘ", style: .document) == "Tbilisi")
        #expect(GeorgianTransliteration.latin("ᲬᲧᲐᲚᲢᲣᲑᲝ", style: .national) == "Ts'q'alt'ubo")
        #expect(GeorgianTransliteration.latin("ᲥᲣᲗᲐᲘᲡᲘ ქუთაისი", style: .document) == "Kutaisi Kutaisi")
        #expect(GeorgianTransliteration.latin("ᲐᲰ", style: .document) == "Ah")
    }

    @Test("non-Georgian text passes through unchanged")
    func passesOtherTextThrough() {
        #expect(GeorgianTransliteration.latin("", style: .document) == "")
        #expect(GeorgianTransliteration.latin("Main Street 12, flat 3", style: .national) == "Main Street 12, flat 3")
        #expect(GeorgianTransliteration.latin("서울 ", style: .document) == "서울 ")
        #expect(GeorgianTransliteration.latin("12ა", style: .document) == "12a")
        #expect(GeorgianTransliteration.latin("(თბილისი)", style: .document) == "(Tbilisi)")
    }

    @Test("letters outside the modern alphabet pass through")
    func passesArchaicLettersThrough() {
        // ჱ (he) and ჵ (hoe) are Old Georgian letters that the 2002 system does not cover.
        #expect(GeorgianTransliteration.latin("ჱ ჵ", style: .document) == "ჱ ჵ")
    }
}
