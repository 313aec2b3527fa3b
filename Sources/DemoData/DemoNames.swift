import GapStatistics

/// Names and ethnicity codes for synthetic students.
///
/// The names are common given names and surnames in England, grouped loosely by background so
/// that a pupil's name and ethnicity code do not jar; a few carry accents, apostrophes and
/// hyphens, which a real roll has and an importer must keep intact. Nobody is real.
enum DemoNames {
    enum Background: Sendable {
        case white, southAsian, black, eastAsian, other
    }

    /// DfE school census ethnicity codes with rough weights in the shape of secondary pupils in
    /// England ("Schools, pupils and their characteristics", DfE, 2024: about 60% White
    /// British; the other weights are rounded and approximate).
    static let ethnicities = WeightedChoice<(code: String, background: Background)>([
        (("WBRI", .white), 60), (("WIRI", .white), 0.3), (("WOTH", .white), 6.5), (("WROM", .white), 0.4),
        (("MWBC", .white), 1.6), (("MWBA", .white), 0.9), (("MWAS", .other), 1.4), (("MOTH", .other), 2.2),
        (("AIND", .southAsian), 3.5), (("APKN", .southAsian), 4.5), (("ABAN", .southAsian), 2), (("AOTH", .southAsian), 2),
        (("BAFR", .black), 4), (("BCRB", .black), 1), (("BOTH", .black), 0.6),
        (("CHNE", .eastAsian), 0.8), (("OOTH", .other), 2.2), (("REFU", .other), 0.8), (("NOBT", .white), 0.5),
    ])

    /// Backgrounds of pupils who arrived as refugees or asylum seekers (recent arrivals to
    /// England have come largely from Ukraine, Afghanistan, Syria, Eritrea and Sudan).
    static let refugeeEthnicities = WeightedChoice<(code: String, background: Background)>([
        (("WOTH", .white), 35), (("AOTH", .southAsian), 25), (("OOTH", .other), 25), (("BAFR", .black), 15),
    ])

    static func forename(gender: String, background: Background, using generator: inout SeededGenerator) -> String {
        let female = gender == "F" || (gender != "M" && generator.chance(0.5))
        switch background {
        case .white: return generator.element(of: female ? whiteFemale : whiteMale)
        case .southAsian: return generator.element(of: female ? southAsianFemale : southAsianMale)
        case .black: return generator.element(of: female ? blackFemale : blackMale)
        case .eastAsian: return generator.element(of: female ? eastAsianFemale : eastAsianMale)
        case .other: return generator.element(of: female ? otherFemale : otherMale)
        }
    }

    static func surname(background: Background, using generator: inout SeededGenerator) -> String {
        switch background {
        case .white: return generator.element(of: whiteSurnames)
        case .southAsian: return generator.element(of: southAsianSurnames)
        case .black: return generator.element(of: blackSurnames)
        case .eastAsian: return generator.element(of: eastAsianSurnames)
        case .other: return generator.element(of: otherSurnames)
        }
    }

    static let whiteFemale = [
        "Olivia", "Amelia", "Isla", "Ava", "Mia", "Ivy", "Lily", "Isabella", "Rosie", "Sophia", "Grace", "Freya",
        "Evie", "Poppy", "Ella", "Charlotte", "Emily", "Jessica", "Chloé", "Ruby", "Daisy", "Phoebe", "Holly",
        "Millie", "Erin", "Scarlett", "Zoë", "Maisie", "Ellie", "Katie", "Oliwia", "Zuzanna", "Sofia", "Ana",
    ]
    static let whiteMale = [
        "Oliver", "George", "Noah", "Arthur", "Leo", "Harry", "Oscar", "Archie", "Henry", "Theo", "Jack", "Charlie",
        "Freddie", "Alfie", "Thomas", "Jacob", "Joshua", "William", "James", "Ethan", "Max", "Lewis", "Reuben",
        "Kai", "Tyler", "Callum", "Connor", "Seán", "Jakub", "Oskar", "Mateusz", "Luca", "Bogdan", "Andrei",
    ]
    static let southAsianFemale = [
        "Aisha", "Maryam", "Fatima", "Zara", "Amara", "Inaya", "Hafsa", "Anaya", "Priya", "Riya", "Simran",
        "Ayesha", "Sana", "Nusrat", "Tahmina", "Khadijah", "Mehreen", "Jasleen",
    ]
    static let southAsianMale = [
        "Muhammad", "Ibrahim", "Yusuf", "Ayaan", "Zayn", "Hamza", "Arjun", "Rohan", "Aryan", "Harjeet", "Imran",
        "Rayyan", "Ismail", "Tanvir", "Rahim", "Bilal", "Vikram", "Dev",
    ]
    static let blackFemale = [
        "Amara", "Chloe", "Nia", "Precious", "Adaeze", "Zainab", "Blessing", "Esther", "Kemi", "Tiana", "Shanice",
        "Naomi", "Abigail", "Favour", "Imani", "Ruth",
    ]
    static let blackMale = [
        "David", "Daniel", "Samuel", "Joshua", "Emmanuel", "Tobi", "Kwame", "Malachi", "Chidi", "Jayden", "Tyrese",
        "Elijah", "Isaac", "Femi", "Kofi", "Abdi",
    ]
    static let eastAsianFemale = ["Mei", "Yan", "Lucy", "Hannah", "Xinyi", "Yuki", "Lina", "Jia", "Anh", "Grace"]
    static let eastAsianMale = ["Wei", "Jun", "Ethan", "Ryan", "Hao", "Kenji", "Minh", "Yi", "Jason", "Kai"]
    static let otherFemale = [
        "Layla", "Yasmin", "Leila", "Mariam", "Sara", "Noor", "Hana", "Dalia", "Amal", "Selin", "Elif", "Kateryna",
        "Sofiia", "Anastasiia", "Shirin", "Parisa", "Freweyni", "Marta",
    ]
    static let otherMale = [
        "Omar", "Ali", "Ahmad", "Karim", "Yousef", "Mustafa", "Emre", "Ahmet", "Daniyal", "Mykola", "Artem",
        "Oleksandr", "Farid", "Hamid", "Habtom", "Dawit", "Samir", "Adam",
    ]

    static let whiteSurnames = [
        "Smith", "Jones", "Williams", "Taylor", "Brown", "Davies", "Evans", "Wilson", "Thomas", "Johnson", "Roberts",
        "Robinson", "Thompson", "Wright", "Walker", "White", "Edwards", "Hughes", "Green", "Hall", "Lewis", "Harris",
        "Clarke", "Patterson", "Jackson", "Wood", "Turner", "Martin", "Cooper", "Hill", "Ward", "Morris", "Moore",
        "Clark", "Lee", "King", "Baker", "Harrison", "Morgan", "Allen", "James", "Scott", "Phillips", "Watson",
        "Davis", "Parker", "Price", "Bennett", "Young", "Griffiths", "Mitchell", "Kelly", "Cook", "Carter",
        "Richardson", "Bailey", "Collins", "Bell", "Shaw", "Murphy", "O'Brien", "O'Connor", "McCarthy",
        "Smith-Jones", "Kowalski", "Nowak", "Wiśniewska", "Popescu", "Silva", "Ferreira", "Rossi", "Horvat",
    ]
    static let southAsianSurnames = [
        "Khan", "Ahmed", "Hussain", "Ali", "Begum", "Rahman", "Islam", "Patel", "Shah", "Singh", "Kaur", "Sharma",
        "Mahmood", "Iqbal", "Akhtar", "Uddin", "Chowdhury", "Miah", "Gill", "Sandhu",
    ]
    static let blackSurnames = [
        "Okafor", "Adeyemi", "Mensah", "Boateng", "Okoro", "Campbell", "Brown", "Johnson", "Williams", "Clarke",
        "Mohamed", "Abdi", "Osei", "Adebayo", "Nwosu", "Francis", "Henry", "Grant",
    ]
    static let eastAsianSurnames = ["Wang", "Li", "Zhang", "Chen", "Liu", "Wong", "Chan", "Nguyen", "Tran", "Kim", "Tanaka"]
    static let otherSurnames = [
        "Al-Sayed", "Haddad", "Hassan", "Rahimi", "Ahmadi", "Karimi", "Yilmaz", "Demir", "Kaya", "Shevchenko",
        "Kovalenko", "Bondarenko", "Tesfaye", "Gebremedhin", "Osman", "Ibrahim", "Nasser", "Mansour",
    ]
}
