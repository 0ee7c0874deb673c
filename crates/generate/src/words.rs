//! Static vocabularies: countries, products, stages, hand-written partners and word lists.
//!
//! Every string here is representable in Windows-1252 (one partner file is written in it).

/// The four sales regions, in `regions.csv` spelling.
pub(crate) const REGIONS: [&str; 4] = ["North America", "EMEA", "APAC", "LATAM"];

/// Naming culture of a country, for customer names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Culture {
    English,
    German,
    French,
    Spanish,
}

/// A country customers live in.
pub(crate) struct Country {
    pub name: &'static str,
    pub iso: &'static str,
    pub german: &'static str,
    pub region: usize,
    pub euro: bool,
    pub uk: bool,
    pub culture: Culture,
    /// Relative weight within its region.
    pub weight: u32,
    /// Legal suffixes customers there carry.
    pub legal: &'static [&'static str],
    /// Further spellings that go into regions.csv.
    pub extra: &'static [&'static str],
}

macro_rules! country {
    ($name:expr, $iso:expr, $de:expr, $region:expr, $euro:expr, $uk:expr, $cult:ident, $w:expr, $legal:expr, $extra:expr) => {
        Country {
            name: $name,
            iso: $iso,
            german: $de,
            region: $region,
            euro: $euro,
            uk: $uk,
            culture: Culture::$cult,
            weight: $w,
            legal: $legal,
            extra: $extra,
        }
    };
}

/// Customer countries (25), grouped by region.
pub(crate) const COUNTRIES: &[Country] = &[
    country!(
        "United States",
        "US",
        "Vereinigte Staaten",
        0,
        false,
        false,
        English,
        85,
        &["Inc", "LLC", "Corp", "Co", "Corporation"],
        &["USA", "United States of America"]
    ),
    country!("Canada", "CA", "Kanada", 0, false, false, English, 15, &["Inc", "Ltd"], &[]),
    country!("Germany", "DE", "Deutschland", 1, true, false, German, 26, &["GmbH", "AG", "GmbH & Co. KG", "KG"], &[]),
    country!(
        "United Kingdom",
        "GB",
        "Vereinigtes Königreich",
        1,
        false,
        true,
        English,
        36,
        &["Ltd", "plc", "Limited"],
        &["UK", "Great Britain", "England"]
    ),
    country!("France", "FR", "Frankreich", 1, true, false, French, 12, &["SA", "SAS", "SARL"], &[]),
    country!("Netherlands", "NL", "Niederlande", 1, true, false, English, 7, &["B.V.", "N.V."], &["Holland", "Nederland"]),
    country!("Spain", "ES", "Spanien", 1, true, false, Spanish, 6, &["S.L.", "S.A."], &["España"]),
    country!("Italy", "IT", "Italien", 1, true, false, English, 5, &["S.p.A.", "S.r.l."], &["Italia"]),
    country!("Switzerland", "CH", "Schweiz", 1, false, false, German, 5, &["AG", "GmbH", "SA"], &["Suisse"]),
    country!("Austria", "AT", "Österreich", 1, true, false, German, 4, &["GmbH", "AG"], &[]),
    country!("Ireland", "IE", "Irland", 1, true, false, English, 3, &["Ltd", "DAC"], &["Éire"]),
    country!("Sweden", "SE", "Schweden", 1, false, false, English, 4, &["AB"], &["Sverige"]),
    country!("Norway", "NO", "Norwegen", 1, false, false, English, 2, &["AS", "ASA"], &["Norge"]),
    country!("Poland", "PL", "Polen", 1, false, false, English, 3, &["Sp. z o.o.", "S.A."], &["Polska"]),
    country!("Japan", "JP", "Japan", 2, false, false, English, 25, &["KK", "Co., Ltd."], &["Nippon"]),
    country!("Australia", "AU", "Australien", 2, false, false, English, 30, &["Pty Ltd", "Limited"], &[]),
    country!("India", "IN", "Indien", 2, false, false, English, 15, &["Pvt Ltd", "Ltd"], &["Bharat"]),
    country!("Singapore", "SG", "Singapur", 2, false, false, English, 14, &["Pte Ltd"], &[]),
    country!("South Korea", "KR", "Südkorea", 2, false, false, English, 8, &["Co., Ltd."], &["Korea", "Republic of Korea"]),
    country!("New Zealand", "NZ", "Neuseeland", 2, false, false, English, 8, &["Limited", "Ltd"], &[]),
    country!("Brazil", "BR", "Brasilien", 3, false, false, Spanish, 35, &["Ltda", "S.A."], &["Brasil"]),
    country!("Mexico", "MX", "Mexiko", 3, false, false, Spanish, 30, &["S.A. de C.V."], &["México"]),
    country!("Argentina", "AR", "Argentinien", 3, false, false, Spanish, 12, &["S.A.", "S.R.L."], &[]),
    country!("Chile", "CL", "Chile", 3, false, false, Spanish, 12, &["S.A.", "SpA"], &[]),
    country!("Colombia", "CO", "Kolumbien", 3, false, false, Spanish, 11, &["S.A.S.", "S.A."], &[]),
];

/// Index of a country by ISO code (falls back to the first country).
pub(crate) fn country_by_iso(iso: &str) -> usize {
    COUNTRIES.iter().position(|c| c.iso == iso).unwrap_or(0)
}

/// Industries customers belong to.
pub(crate) const INDUSTRIES: [&str; 10] = [
    "Manufacturing",
    "Financial Services",
    "Healthcare",
    "Retail",
    "Public Sector",
    "Technology",
    "Energy & Utilities",
    "Telecommunications",
    "Transportation & Logistics",
    "Media",
];

/// A product of the vendor.
pub(crate) struct Product {
    pub id: &'static str,
    pub name: &'static str,
    pub family: &'static str,
    pub sku: &'static str,
    pub weight: f64,
    /// Amount multiplier for deals of this product.
    pub size: f64,
    /// List price per unit for distributor sell-out (USD cents).
    pub unit_price: i64,
    /// Misspellings and alternative names, listed in product_aliases.csv.
    pub aliases: &'static [&'static str],
}

/// The 12 products in 4 families.
pub(crate) const PRODUCTS: &[Product] = &[
    Product {
        id: "PRD-ANL-01",
        name: "Analytics Cloud",
        family: "Analytics",
        sku: "SKU-1001",
        weight: 16.0,
        size: 1.25,
        unit_price: 240_000,
        aliases: &["Analytcs Cloud", "Analytik Cloud", "AnalyticsCloud"],
    },
    Product {
        id: "PRD-ANL-02",
        name: "Analytics On-Premises",
        family: "Analytics",
        sku: "SKU-1002",
        weight: 6.0,
        size: 1.4,
        unit_price: 380_000,
        aliases: &["Analytics OnPrem", "Analytics On Prem Edition"],
    },
    Product {
        id: "PRD-ANL-03",
        name: "Data Warehouse Accelerator",
        family: "Analytics",
        sku: "SKU-1003",
        weight: 6.0,
        size: 1.3,
        unit_price: 450_000,
        aliases: &["DWH Accelerator", "Datawarehouse Accelerator"],
    },
    Product {
        id: "PRD-SEC-01",
        name: "Security Suite",
        family: "Security",
        sku: "SKU-2001",
        weight: 14.0,
        size: 1.0,
        unit_price: 180_000,
        aliases: &["Security Suit", "Sicherheits-Suite"],
    },
    Product {
        id: "PRD-SEC-02",
        name: "Identity Manager",
        family: "Security",
        sku: "SKU-2002",
        weight: 8.0,
        size: 0.9,
        unit_price: 95_000,
        aliases: &["Identity Mgr", "Identitymanager"],
    },
    Product {
        id: "PRD-SEC-03",
        name: "Threat Insights",
        family: "Security",
        sku: "SKU-2003",
        weight: 5.0,
        size: 1.1,
        unit_price: 150_000,
        aliases: &["Threat Insight", "Threat Intel Insights"],
    },
    Product {
        id: "PRD-INT-01",
        name: "Integration Hub",
        family: "Integration",
        sku: "SKU-3001",
        weight: 12.0,
        size: 0.95,
        unit_price: 120_000,
        aliases: &["Intergration Hub", "Integrations Hub"],
    },
    Product {
        id: "PRD-INT-02",
        name: "API Gateway",
        family: "Integration",
        sku: "SKU-3002",
        weight: 7.0,
        size: 0.8,
        unit_price: 70_000,
        aliases: &["API GW", "Api-Gateway Enterprise"],
    },
    Product {
        id: "PRD-INT-03",
        name: "Data Connectors Pack",
        family: "Integration",
        sku: "SKU-3003",
        weight: 5.0,
        size: 0.6,
        unit_price: 40_000,
        aliases: &["Connector Pack", "Data Connector Pack"],
    },
    Product {
        id: "PRD-COL-01",
        name: "Collaboration Suite",
        family: "Collaboration",
        sku: "SKU-4001",
        weight: 10.0,
        size: 0.75,
        unit_price: 60_000,
        aliases: &["Colaboration Suite", "Collab Suite"],
    },
    Product {
        id: "PRD-COL-02",
        name: "Team Workspace",
        family: "Collaboration",
        sku: "SKU-4002",
        weight: 6.0,
        size: 0.6,
        unit_price: 35_000,
        aliases: &["Team Workspaces", "Teamworkspace"],
    },
    Product {
        id: "PRD-COL-03",
        name: "Video Meetings Pro",
        family: "Collaboration",
        sku: "SKU-4003",
        weight: 5.0,
        size: 0.55,
        unit_price: 30_000,
        aliases: &["Video Meeting Pro", "VideoMeetings Professional"],
    },
];

/// Canonical stages, in pipeline order; indexes 4 and 5 are the closed stages.
pub(crate) const STAGES: [&str; 6] = ["prospecting", "qualification", "proposal", "negotiation", "closed_won", "closed_lost"];
/// Index of closed_won in [`STAGES`].
pub(crate) const WON: u8 = 4;
/// Index of closed_lost in [`STAGES`].
pub(crate) const LOST: u8 = 5;

/// CRM stage names, by canonical stage.
pub(crate) const CRM_STAGES: [&str; 6] =
    ["Prospecting", "Qualification", "Proposal/Price Quote", "Negotiation/Review", "Closed Won", "Closed Lost"];
/// Channel managers' sheet stage names.
pub(crate) const SHEET_STAGES: [&str; 6] = ["Pipeline", "Qualified", "Best Case", "Commit", "Won", "Lost"];
/// Northwind's stage names.
pub(crate) const NORTHWIND_STAGES: [&str; 6] = ["Open", "Qualified", "Proposal", "Negotiation", "Won", "Lost"];
/// Bauer Systemhaus' (German) stage names.
pub(crate) const BAUER_STAGES: [&str; 6] = ["Neu", "Qualifiziert", "Angebot", "Verhandlung", "Gewonnen", "Verloren"];
/// Fabrikam's stage names.
pub(crate) const FABRIKAM_STAGES: [&str; 6] = ["Prospect", "Qualified", "Proposal", "Negotiation", "Closed Won", "Closed Lost"];
/// Tailspin's stage names.
pub(crate) const TAILSPIN_STAGES: [&str; 6] = ["Open", "Qualified", "Proposal Sent", "In Negotiation", "Won", "Lost"];
/// Contoso's stage names.
pub(crate) const CONTOSO_STAGES: [&str; 6] =
    ["1 - Prospect", "2 - Qualify", "3 - Propose", "4 - Negotiate", "5 - Closed Won", "5 - Closed Lost"];
/// French stage names some partners send (listed in stages.csv for partner_files).
pub(crate) const FRENCH_STAGES: [&str; 6] = ["Nouveau", "Qualifié", "Proposition", "Négociation", "Gagné", "Perdu"];

/// Tiers, best first.
pub(crate) const TIERS: [&str; 3] = ["Platinum", "Gold", "Silver"];

/// A hand-written partner of the example program.
pub(crate) struct HandPartner {
    pub name: &'static str,
    /// The legal suffix at the end of `name` ("" if none).
    pub legal: &'static str,
    pub tier: usize,
    pub region: usize,
    pub ptype: &'static str,
    pub home: &'static str,
    /// Percentage of all deals sourced by this partner (when the program has 30 partners).
    pub share: f64,
    pub aliases: &'static [&'static str],
    pub active: bool,
}

macro_rules! hp {
    ($name:expr, $legal:expr, $tier:expr, $region:expr, $ptype:expr, $home:expr, $share:expr, $aliases:expr) => {
        hp!($name, $legal, $tier, $region, $ptype, $home, $share, $aliases, true)
    };
    ($name:expr, $legal:expr, $tier:expr, $region:expr, $ptype:expr, $home:expr, $share:expr, $aliases:expr, $active:expr) => {
        HandPartner {
            name: $name,
            legal: $legal,
            tier: $tier,
            region: $region,
            ptype: $ptype,
            home: $home,
            share: $share,
            aliases: $aliases,
            active: $active,
        }
    };
}

/// The first 30 partners. The first five send their own files (see `sources.rs`).
pub(crate) const HAND_PARTNERS: &[HandPartner] = &[
    hp!(
        "Northwind Traders",
        "",
        0,
        0,
        "reseller",
        "US",
        9.0,
        &["NWT", "Northwnd Traders", "Northwind Trading Company", "North Wind Traders"]
    ),
    hp!("Contoso Consulting", "", 0, 0, "global_si", "US", 7.0, &["Contosso Consulting", "Contoso", "Contoso Consulting Group"]),
    hp!("Bauer Systemhaus GmbH", "GmbH", 1, 1, "regional_si", "DE", 5.0, &["Baur Systemhaus", "Bauer IT-Systemhaus", "BSH"]),
    hp!("Fabrikam Solutions Ltd", "Ltd", 0, 1, "global_si", "GB", 5.0, &["Fabrikam", "Fabricam Solutions", "FSL"]),
    hp!("Tailspin Integrators", "", 1, 0, "regional_si", "US", 4.0, &["Tailspin", "Tailspn Integrators", "Tailspin Integration Services"]),
    hp!("Müller & Söhne AG", "AG", 2, 1, "reseller", "DE", 3.0, &["Mueller & Soehne", "Müller und Söhne", "Müller Söhne Gruppe"]),
    hp!("Adventure Works Distribution", "", 1, 0, "distributor", "US", 8.0, &["AdventureWorks", "Adventure Works Dist", "AWD"]),
    hp!("Société Générale d'Intégration", "", 1, 1, "regional_si", "FR", 5.0, &["SGI", "SG Integration", "Soc. Gen. d'Intégration"]),
    hp!("Wide World Importers", "", 1, 2, "distributor", "AU", 5.0, &["WWI", "Wide World Imports", "WideWorld Importers"]),
    hp!("Litware Analytics", "", 2, 0, "isv", "CA", 2.0, &["Litware", "Litware Analytic"]),
    hp!("Sakura Digital Solutions", "", 1, 2, "regional_si", "JP", 4.0, &["Sakura Digital", "SDS Japan"]),
    hp!("Kangaroo Cloud Pty Ltd", "Pty Ltd", 2, 2, "reseller", "AU", 2.0, &["Kangaroo Cloud Services", "Kangaro Cloud"]),
    hp!("Andes Tecnología S.A.", "S.A.", 2, 3, "regional_si", "CL", 2.0, &["Andes Tech", "Andes Tecnologías"]),
    hp!("Proseware Inc", "Inc", 1, 0, "isv", "US", 4.0, &["Proseware Software", "Prosware"]),
    hp!("Trey Research Group", "", 2, 0, "referral", "US", 1.5, &["Trey Research", "TRG"]),
    hp!("Lucerne Data Partners", "", 2, 1, "reseller", "CH", 2.0, &["Lucerne Data", "Luzern Data Partners"]),
    hp!("Woodgrove Advisory LLC", "LLC", 1, 0, "referral", "US", 3.0, &["Woodgrove Advisors", "Woodgrove Adv"]),
    hp!("Nordlicht IT GmbH", "GmbH", 2, 1, "regional_si", "DE", 2.5, &["Nordlicht", "Nordlicht Informationstechnik"]),
    hp!("Samba Sistemas S.A.", "S.A.", 1, 3, "reseller", "BR", 3.5, &["Samba Systems", "Samba Sist"]),
    hp!(
        "Harbour Bridge Technologies Pty Ltd",
        "Pty Ltd",
        2,
        2,
        "regional_si",
        "AU",
        2.0,
        &["Harbour Bridge Tech", "Harbor Bridge Technologies"]
    ),
    hp!("Van Dijk ICT", "", 2, 1, "reseller", "NL", 2.0, &["Van Dyk ICT", "VD ICT"]),
    hp!("Maple Leaf Systems Inc", "Inc", 1, 0, "global_si", "CA", 4.5, &["Mapleleaf Systems", "MLS"]),
    hp!("Mumbai Cloud Services Ltd", "Ltd", 2, 2, "reseller", "IN", 2.0, &["Mumbai Cloud", "MCS India"]),
    hp!("Iberia Soluciones S.A.", "S.A.", 2, 1, "regional_si", "ES", 2.0, &["Iberia Solutions", "Iberia Sol"]),
    hp!("Azteca Digital S.A.", "S.A.", 2, 3, "reseller", "MX", 2.0, &["Azteca Dig", "Aztec Digital"]),
    hp!("Fjord Analytics", "", 2, 1, "isv", "NO", 1.5, &["Fiord Analytics", "Fjord Analytic"]),
    hp!("Greenfield Referral Partners", "", 2, 0, "referral", "US", 1.0, &["Greenfield Referrals", "GRP"], false),
    hp!("Pacific Rim Distribution", "", 1, 2, "distributor", "SG", 3.0, &["PacRim Distribution", "Pacific Rim Dist"]),
    hp!("Cumbre Integradores", "", 2, 3, "regional_si", "AR", 1.0, &["Cumbre", "Cumbre Integration"], false),
    hp!("Summit Peak Software", "", 2, 0, "isv", "US", 1.5, &["Summit Peak", "SPS"]),
];

/// Partner types of composed partners, with weights.
pub(crate) const PARTNER_TYPES: [(&str, f64); 6] =
    [("reseller", 34.0), ("regional_si", 26.0), ("referral", 12.0), ("isv", 12.0), ("global_si", 8.0), ("distributor", 8.0)];

/// First words of composed partner names.
pub(crate) const PARTNER_PREFIX: &[&str] = &[
    "Apex",
    "Bluepoint",
    "Bright",
    "Cascade",
    "Cobalt",
    "Crestline",
    "Delta",
    "Ember",
    "Everest",
    "Falcon",
    "Firstlight",
    "Foxglove",
    "Granite",
    "Harborview",
    "Helix",
    "Horizon",
    "Ironbridge",
    "Juniper",
    "Keystone",
    "Lakeshore",
    "Lighthouse",
    "Lodestar",
    "Magnolia",
    "Meridian",
    "Nimbus",
    "Northgate",
    "Oakline",
    "Onyx",
    "Orbit",
    "Pinecrest",
    "Quantum",
    "Quarry",
    "Redwood",
    "Ridgeway",
    "Riverstone",
    "Saffron",
    "Sapphire",
    "Sequoia",
    "Silverleaf",
    "Skyline",
    "Solstice",
    "Stonebridge",
    "Sunbeam",
    "Tamarack",
    "Tidewater",
    "Trailhead",
    "True North",
    "Umbra",
    "Upland",
    "Vantage",
    "Vector",
    "Verdant",
    "Westbrook",
    "Willow",
    "Windward",
    "Yellowstone",
    "Zenith",
    "Alder",
    "Basalt",
    "Copperline",
];

/// Middle words of composed partner names.
pub(crate) const PARTNER_CORE: &[&str] = &[
    "Cloud",
    "Data",
    "Digital",
    "Systems",
    "Tech",
    "Networks",
    "IT",
    "Software",
    "Analytics",
    "Consulting",
    "Security",
    "Infotech",
    "Computing",
    "Logic",
    "Informatics",
    "Integration",
    "Platforms",
    "Code",
    "Bytes",
    "Insight",
    "Telecom",
    "Automation",
    "Devices",
    "Infrastructure",
    "Applications",
    "Dynamics",
    "Matrix",
    "Signal",
    "Vision",
    "Stack",
];

/// Last words of composed partner names.
pub(crate) const PARTNER_DESC: &[&str] = &[
    "Partners",
    "Group",
    "Solutions",
    "Services",
    "Integrators",
    "Labs",
    "Associates",
    "Collective",
    "Works",
    "Advisors",
    "Consultants",
    "Alliance",
    "Company",
    "Technologies",
    "Resources",
    "Experts",
    "Hub",
    "Studio",
    "Network",
    "Direct",
];

/// English customer name prefixes.
pub(crate) const EN_PREFIX: &[&str] = &[
    "Acme",
    "Apex",
    "Blue Harbor",
    "Cedar",
    "Crescent",
    "Evergreen",
    "Falcon",
    "Frontier",
    "Golden Gate",
    "Granite",
    "Harbor",
    "Highland",
    "Horizon",
    "Ironwood",
    "Keystone",
    "Lakeside",
    "Liberty",
    "Meridian",
    "Northstar",
    "Oakridge",
    "Pinnacle",
    "Prairie",
    "Redwood",
    "Riverbend",
    "Sierra",
    "Silverline",
    "Starlight",
    "Sterling",
    "Summit",
    "Sunrise",
    "Tidewater",
    "Trident",
    "Valley",
    "Vanguard",
    "Westfield",
    "Whitestone",
    "Windsor",
    "Brightwater",
    "Copperfield",
    "Eastgate",
    "Fairview",
    "Glenwood",
    "Hawthorne",
    "Kingsbridge",
    "Maplewood",
    "Newbury",
    "Oceanic",
    "Pioneer",
];

/// English customer name nouns with their industry index.
pub(crate) const EN_NOUN: &[(&str, u8)] = &[
    ("Manufacturing", 0),
    ("Logistics", 8),
    ("Health", 2),
    ("Financial", 1),
    ("Insurance", 1),
    ("Energy", 6),
    ("Foods", 3),
    ("Retail", 3),
    ("Telecom", 7),
    ("Pharmaceuticals", 2),
    ("Motors", 0),
    ("Airlines", 8),
    ("Bank", 1),
    ("Capital", 1),
    ("Construction", 0),
    ("Media", 9),
    ("Hospitality", 3),
    ("Utilities", 6),
    ("Foundry", 0),
    ("Textiles", 0),
    ("Medical Center", 2),
    ("Credit Union", 1),
    ("Chemicals", 0),
    ("Steel", 0),
    ("Freight", 8),
    ("Software", 5),
    ("Semiconductors", 5),
    ("Publishing", 9),
    ("Water Authority", 4),
    ("Transit Authority", 4),
    ("School District", 4),
    ("Networks", 7),
];

/// Optional third words of English customer names.
pub(crate) const EN_DESC: &[&str] = &["Group", "Holdings", "International", "Partners", "Systems", "Services", "Industries"];

/// German customer name prefixes.
pub(crate) const DE_PREFIX: &[&str] = &[
    "Rhein",
    "Alpen",
    "Bayern",
    "Elbe",
    "Nordsee",
    "Schwarzwald",
    "Main",
    "Donau",
    "Harz",
    "Spree",
    "Kölner",
    "Münchner",
    "Süd",
    "Oberland",
    "Bodensee",
    "Hanse",
    "Weser",
    "Mosel",
    "Ostsee",
    "Taunus",
    "Müller",
    "Schäfer",
    "Großmann",
    "Böhm",
    "Krüger",
    "Weiß",
    "Hoffmann",
    "Fischer",
    "Zimmermann",
    "Schröder",
    "Löwen",
    "Bergmann",
];

/// German customer name nouns with their industry index.
pub(crate) const DE_NOUN: &[(&str, u8)] = &[
    ("Maschinenbau", 0),
    ("Logistik", 8),
    ("Versicherung", 1),
    ("Stahlwerke", 0),
    ("Brauerei", 3),
    ("Kliniken", 2),
    ("Energie", 6),
    ("Bäckereien", 3),
    ("Großhandel", 3),
    ("Straßenbau", 0),
    ("Chemie", 0),
    ("Elektrotechnik", 5),
    ("Automobil", 0),
    ("Druckerei", 9),
    ("Möbelwerke", 0),
    ("Lebensmittel", 3),
    ("Stadtwerke", 6),
    ("Immobilien", 1),
    ("Verkehrsbetriebe", 8),
    ("Präzisionstechnik", 0),
];

/// French customer name nouns (first word) with their industry index.
pub(crate) const FR_NOUN: &[(&str, u8)] = &[
    ("Assurances", 1),
    ("Logistique", 8),
    ("Énergie", 6),
    ("Distribution", 3),
    ("Industries", 0),
    ("Transports", 8),
    ("Santé", 2),
    ("Banque", 1),
    ("Télécom", 7),
    ("Construction", 0),
    ("Médias", 9),
    ("Pharma", 2),
];

/// French customer name qualifiers (second word).
pub(crate) const FR_SUFFIX: &[&str] = &[
    "de Provence",
    "du Rhône",
    "de Normandie",
    "Atlantique",
    "Alpine",
    "de Bretagne",
    "de la Loire",
    "Méditerranée",
    "de Champagne",
    "Lumière",
    "Étoile",
    "du Nord",
    "Lyonnaise",
    "Parisienne",
    "Bordelaise",
];

/// Spanish/Portuguese customer name nouns (first word) with their industry index.
pub(crate) const ES_NOUN: &[(&str, u8)] = &[
    ("Logística", 8),
    ("Seguros", 1),
    ("Energía", 6),
    ("Alimentos", 3),
    ("Construcciones", 0),
    ("Transportes", 8),
    ("Minera", 6),
    ("Farmacéutica", 2),
    ("Telecomunicaciones", 7),
    ("Banco", 1),
    ("Industrias", 0),
    ("Comercial", 3),
];

/// Spanish/Portuguese customer name qualifiers (second word).
pub(crate) const ES_SUFFIX: &[&str] = &[
    "Andina",
    "del Sol",
    "del Pacífico",
    "Atlántica",
    "Sierra Nevada",
    "Río Grande",
    "Monterrey",
    "Patagonia",
    "Cordillera",
    "Amazonia",
    "Iberia",
    "Castilla",
    "del Valle",
    "Costa Azul",
    "Austral",
    "del Norte",
];

/// First names of people (partner staff, managers).
pub(crate) const FIRST_NAMES: &[&str] = &[
    "Anna", "Ben", "Carla", "David", "Elena", "Felix", "Grace", "Hiro", "Isabel", "Jonas", "Kate", "Liam", "Maria", "Noah", "Olivia",
    "Pedro", "Quinn", "Rosa", "Sam", "Tanja", "Uma", "Victor", "Wei", "Xavier", "Yuki", "Zoe", "Ahmed", "Bianca", "Chen", "Diego", "Emma",
    "Farah", "Georg", "Hannah", "Ines", "Jakob", "Kenji", "Lena", "Mateo", "Nina",
];

/// Last names of people.
pub(crate) const LAST_NAMES: &[&str] = &[
    "Smith",
    "Müller",
    "Garcia",
    "Tanaka",
    "Johnson",
    "Schmidt",
    "Rossi",
    "Dubois",
    "Kim",
    "Nguyen",
    "Brown",
    "Fischer",
    "Silva",
    "Lopez",
    "Wilson",
    "Weber",
    "Martin",
    "Sato",
    "Patel",
    "Kowalski",
    "Andersen",
    "Becker",
    "Clarke",
    "Duarte",
    "Evans",
    "Fontaine",
    "Gomez",
    "Hughes",
    "Ivanova",
    "Jensen",
    "Keller",
    "Lindqvist",
    "Moreau",
    "Novak",
    "O'Connor",
    "Peters",
    "Quintero",
    "Richter",
    "Santos",
    "Turner",
];

/// Partner (channel) managers by region.
pub(crate) const PARTNER_MANAGERS: [[&str; 2]; 4] = [
    ["Sarah Chen", "James O'Brien"],
    ["Marcus Weber", "Chloé Dubois"],
    ["Aiko Tanaka", "Priya Natarajan"],
    ["Lucía Fernández", "Rafael Souza"],
];

/// Vendor account managers.
pub(crate) const ACCOUNT_MANAGERS: &[&str] = &[
    "Emily Carter",
    "Jonas Schmidt",
    "Olivia Martin",
    "Hannah Lee",
    "Michael Brown",
    "Kenji Sato",
    "Sophie Müller",
    "David Wilson",
    "Ana Ribeiro",
    "Tom Becker",
];

/// Training courses.
pub(crate) const COURSES: &[&str] = &[
    "Partner Onboarding",
    "Analytics Cloud Fundamentals",
    "Security Suite Sales Essentials",
    "Integration Hub Technical Deep Dive",
    "Collaboration Suite Pre-Sales",
    "Deal Registration Process",
    "Value Selling Workshop",
    "Solution Architecture Bootcamp",
];

/// Certifications.
pub(crate) const CERTIFICATIONS: &[&str] = &[
    "Certified Analytics Cloud Consultant",
    "Certified Security Suite Engineer",
    "Certified Integration Architect",
    "Certified Collaboration Specialist",
];

/// Notes channel managers write in their sheet.
pub(crate) const SHEET_NOTES: &[&str] = &[
    "",
    "",
    "",
    "",
    "waiting on PO",
    "exec sponsor engaged",
    "POC scheduled",
    "Customer asked for \"phase 2\" pricing",
    "legal review, security questionnaire",
    "competing with incumbent",
    "budget approved for FY",
    "follow up after QBR",
    "partner leads, we support",
    "renewal + upsell",
];

/// Legal suffixes stripped when building variants (lower-case, punctuation removed).
pub(crate) const LEGAL_TOKENS: &[&str] =
    &["inc", "llc", "ltd", "gmbh", "ag", "sa", "pty", "co", "corp", "corporation", "plc", "limited", "kg"];
