"""Facts transcribed by hand from the reference annual report (IPIS Annual Report 2021), for use by tests."""

# Assignments section ("Assignments 2019 - 2020 – 2021"), in the report's order.
# (project title as the Assignments section writes it, [client bodies named after "For"]).
# A leading article ("the") is dropped; a client list is split where it names separate bodies
# ("Madini, Instrument contributing to Stability and Peace, Avocats sans Frontières" -> three,
# "DFID/Concordis" -> two), but "European Commission, Instrument contributing to Stability and Peace"
# is one body. Entries without "For" (Okapi/Itombwe, S⁴, Kapeta) name the client on its own line.
# "Assessing the impact of due diligence programmes in eastern DRC" (2020) names no client.
ASSIGNMENTS: dict[int, list[tuple[str, list[str]]]] = {
    2021: [
        ("Facilitating responsible sourcing and trade in diamonds and other minerals in Sub-Saharan African countries",
         ["European Commission, Instrument contributing to Stability and Peace"]),
        ("Understanding artisanal mining supply chains and conflict financing in DRC", ["USAID"]),
        ("Madini – Strengthening regional stability in the Great Lakes", ["International Alert"]),
        ("Kufatilia – Incident reporting and monitoring",
         ["Madini", "Instrument contributing to Stability and Peace", "Avocats sans Frontières"]),
        ("Matokeo – Impact monitoring for the ASM sector", ["Conservation X Labs - ASM Grand Challenge"]),
        ("Analysing the impact of unconditional cash transfers in an artisanal mining zone in Maniema province, DRC",
         ["Eight", "FairPhone"]),
        ("The political economy of roadblocks in South Sudan", ["World Food Program"]),
        ("Community based human rights impact assessment – developing monitoring tool to monitor Human Rights in Uganda",
         ["Avocats sans Frontières"]),
        ("Analysing human activity in and around the Okapi and Itombwe protected areas in the DRC",
         ["University of Sheffield"]),
        ("The management of lethal materiel in conflict settings: existing challenges and opportunities for the "
         "European Peace Facility", ["Safeguarding Security Sector Stockpiles (S⁴) Initiative"]),
        ("Supporting the creation of an Atlas of the Kapeta catchment in Uganda", ["Vétérinaires sans Frontières"]),
    ],
    2020: [
        ("Facilitating responsible sourcing and trade in diamonds and other minerals in Sub-Saharan African countries",
         ["European Commission, Instrument contributing to Stability and Peace"]),
        ("Kufatilia – Incident reporting and monitoring",
         ["European Commission, Instrument contributing to Stability and Peace"]),
        ("Madini – Strengthening regional stability in the Great Lakes", ["International Alert"]),
        ("Responsible Gold in Beni", ["International Organisation for Migration (IOM)"]),
        ("Assessment of miner's revenue and basic needs study", ["FairPhone"]),
        ("Matokeo – Impact monitoring for the ASM sector", ["Conservation X Labs - ASM Grand Challenge"]),
        ("Mapping artisanal small-scale mining in the Central African Republic", ["USAID"]),
        ("The political economy of roadblocks in South Sudan", ["World Food Program"]),
        ("Assessing the impact of due diligence programmes in eastern DRC", []),
        ("Pastoralism in the Central African Republic conflict – Mapping of transhumance dynamics in Ouham-Pende",
         ["DFID", "Concordis"]),
        ("Belgian national baseline assessment on Business & Human Rights in conflict-affected areas",
         ["Belgian Federal Institute for Sustainable Development (FIDO/FDD)"]),
        ("Improving monitoring, research, and dialogue on Business & Human Rights in Tanzania",
         ["European Instrument for Democracy and Human Rights"]),
    ],
    2019: [
        ("Facilitating responsible sourcing and trade in diamonds and other minerals in Sub-Saharan African countries",
         ["European Commission, Instrument contributing to Stability and Peace"]),
        ("Assessment of miner's revenue and basic needs study", ["FairPhone"]),
        ("Responsible Gold in Beni", ["International Organisation for Migration"]),
        ("The political economy of roadblocks in South Sudan", ["World Food Program"]),
        ("Mapping the socio-economic and human rights impact of mining in northwest Tanzania",
         ["Belgian Development Cooperation"]),
        ("Improving monitoring, research, and dialogue on Business & Human Rights in Tanzania",
         ["European Instrument for Democracy and Human Rights"]),
        ("Monitoring gold in the Democratic Republic of Congo: Ground-based incident reporting in eastern DRC",
         ["European Partnership for Responsible Mining"]),
        ("Technical assistance on mobile data collection tools, questionnaire design and mapping of artisanal mining sites",
         ["Zimbabwe Environmental Law Association"]),
        ("Mitigating conflict and reducing environmental impacts of artisanal mining in and around protected areas",
         ["World Conservation Society"]),
        ("Development of a digital toolbox on Business & Human Rights",
         ["Belgian Federal Institute for Sustainable Development"]),
    ],
}

# The one client list the report joins with a slash instead of a comma ("For DFID/Concordis").
CLIENT_SEPARATORS: dict[tuple[int, str], str] = {
    (2020, "Pastoralism in the Central African Republic conflict – Mapping of transhumance dynamics in Ouham-Pende"): "/",
}


def client_line(year: int, title: str, clients: list[str]) -> str:
    """The clients of an Assignments entry as the report prints them after "For"."""
    return CLIENT_SEPARATORS.get((year, title), ", ").join(clients)


# Projects described under the research programmes, keyed by the programme-section title.
# outputs: main titles of the Output items (the part before a ". Subtitle"); for unnamed map/dashboard
# links the name used is the report's caption or link label. partners = "With", funders = "Supported by".
_CHECKPOINT = "Checkpoint economy: the political economy of checkpoints in South Sudan, ten years after independence"
OUTPUTS_2021: dict[str, dict] = {
    "Understanding artisanal mining supply chains and conflict financing in the Democratic Republic of Congo": {
        "outputs": [],
        "partners": ["Congolese Ministry of Mines", "SAEMAPE"],
        "funders": ["USAID - Integrated Land and Resource Governance project"],
    },
    "Kufatilia – Incident reporting and monitoring": {
        "outputs": ["Misisi gold, a polluted supply chain", "Kufatilia dashboard"],
        "partners": ["Ulula", "CEGEMI", "CPDH", "FEAUTWA", "ACOSYF", "CRESA", "Max Impact", "ACADOSHA", "CENADEP",
                     "FSH", "APDE", "OGP", "AEMAPRI", "CDPJ", "RHA", "FOMI", "ADECO", "CDC/RN", "Justice Plus"],
        "funders": ["European Union, Instrument contributing to Stability and Peace", "Avocats Sans Frontières",
                    "The Madini Project"],
    },
    "Matokeo – Impact monitoring for the ASM sector": {
        "outputs": [],
        "partners": ["Ulula"],
        "funders": ["Conservation X Labs - ASM Grand Challenge"],
    },
    "Analysing the impact of unconditional cash transfers in an artisanal mining zone in Maniema province, DRC": {
        "outputs": [],
        "partners": ["Eight.world vzw"],
        "funders": ["Eight", "FairPhone"],
    },
    "Understanding human activity in and around the Okapi and Itombwe protected areas in the DRC": {
        "outputs": [],
        "partners": ["University of Sheffield"],
        "funders": [],
    },
    "Madini – Strengthening regional stability in the Great Lakes": {
        "outputs": [
            "Comparative analysis of the fiscal regimes and implications for mineral trade of ASM 3TGs in Rwanda, "
            "Uganda, Burundi and the DRC",
            "Advocating for an improved enabling environment for the production, trade and export of OECD Due "
            "Diligence Guidance (DDG)-conformant minerals from eastern DRC",
            "Conflict analysis and stakeholder mapping in the mining regions of South Kivu and Ituri",
        ],
        "partners": ["International Alert", "Observatoire Gouvernance et Paix (OGP)",
                     "European Network for Central Africa (EurAc)", "Justice Plus"],
        "funders": ["Ministry of Foreign Affairs of the Netherlands"],
    },
    "The political economy of roadblocks in South Sudan": {
        "outputs": [_CHECKPOINT, "Checkpoint economy: summary report", "Webmap of checkpoints in South Sudan",
                    "Maps of checkpoints in South Sudan"],
        "partners": ["Danish Institute for International Studies"],
        "funders": ["World Food Programme"],
    },
    # The IcSP programme has several Output blocks (one per work stream) and no With/Supported by block;
    # the funder is named in its text ("The European Instrument contributing to Stability and Peace (IcSP)
    # engaged IPIS"). The KP CSC member studies are listed as Output under Capacity Enhancement
    # ("Voices from the KP CSC"), a work stream of this programme.
    "Facilitating responsible sourcing and trade in diamonds and other minerals in Sub-Saharan African countries": {
        "outputs": [
            "The EU Conflict Minerals Regulation: Implementation at the EU Member State level",
            "Comparative analysis between cobalt and 3T sourcing from the DRC",
            "The impact of Covid-19 on artisanal mining in Western Central African Republic",
            "The artisanal and small-scale mining sector in eastern DRC six months after the Covid-19 outbreak",
            "Grassroots research on local diamond mining impact",
            "Report of the High-level Workshop on the Fight against Fraud and Smuggling of Rough Diamonds in Central Africa",
            "Belgium's fight against conflict diamonds: an assessment of the country's diamond sector controls from a "
            "global perspective",
            "Large-scale diamond mining in Lesotho: Unpacking its impact on adjacent communities",
            "Effects of artisanal diamond mining on the living conditions of local communities in the Central African Republic",
            "The impact of artisanal and small-scale diamond and gold mining on the environment in Kasai-Oriental and "
            "Tshopo provinces of the Democratic Republic of Congo",
            "Vulnerability of artisanal diamond miners in Guinea: Mapping and remediation needs",
            "Mapping the economic and social challenges of artisanal and small-scale diamond mining in Côte d'Ivoire: "
            "A case study of the Seguela and Tortiya areas",
            "The challenges characterizing Sierra Leone's artisanal diamond mining sector and why the sector should be formalized",
            "State of play and mapping of diamond mining sites in eastern Cameroon",
        ],
        "partners": [],
        "funders": ["European Instrument contributing to Stability and Peace"],
    },
    "Improving monitoring, research and dialogue on Business & Human Rights in Tanzania": {
        "outputs": [
            "Voices from Tanzania – case studies on Business & Human Rights (Volume 3)",
            "Report on the Third Multi-stakeholder Conference on Business and Human Rights in Tanzania",
            "Interactive map of project activities",
        ],
        "partners": ["Commission for Human Rights and Good Governance (CHRAGG)",
                     "Business and Human Rights Tanzania (BRHT)"],
        "funders": ["European Instrument for Democracy and Human Rights (EIDHR)"],
    },
    "Evaluating due diligence programs for conflict minerals in eastern DRC": {
        "outputs": [
            "Evaluating due diligence programs for conflict minerals: a matched analysis of 3T mines in eastern DRC",
            "Evaluating due diligence programs for conflict minerals: video",
        ],
        "partners": ["Project on Resources and Governance (UCLA)", "Sub-Saharan Field Research", "Ulula"],
        "funders": [],
    },
    "The management of lethal materiel in conflict settings: existing challenges and opportunities for the "
    "European Peace Facility": {
        "outputs": [
            "Interactive map of security stockpile losses in the Lake Chad Basin region",
            "The management of lethal materiel in conflict settings: existing challenges and opportunities for the "
            "European Peace Facility",
        ],
        "partners": ["Safeguarding Security Sector Stockpiles (S⁴) Initiative"],
        "funders": [],
    },
    "Community based human rights impact assessment – using digital tools to monitor Human Rights in Uganda": {
        "outputs": [],
        "partners": ["Avocats Sans Frontières"],
        "funders": [],
    },
}

# "IPIS briefing" list "In 2021" (10 issues).
BRIEFINGS_2021: list[tuple[str, str]] = [
    ("January", "Armed groups challenging opportunities for responsible gold mining in Beni"),
    ("February", "CAR: Former enemies unite to oust re-elected President"),
    ("March", "Africa: armed violence and the illicit arms trade"),
    ("April", "Congo's Oil Saga: A story of shadowy deals, environmental burden, and civil society protest"),
    ("May", "Reducing the carbon footprint at the expense of a mineral footprint?"),
    ("June – July", "War on Terror in eastern Congo? The fear of international observers"),
    ("August", "Cameroon's diamond sector: small player, big challenges"),
    ("September", "Some thoughts on diamonds, brides and marketing lies"),
    ("October – November", "Are we ready for a just transition to a sustainable low-carbon world?"),
    ("December", "Grievances, governance and gold in the eastern DRC"),
]

# "Arms trade bulletins": issues covered in 2021 (6 issues).
BULLETINS_2021: list[tuple[str, str]] = [
    ("January – February", "Africa and the regulation of transnational arms brokering"),
    ("March – April", "Arms transfers to Myanmar"),
    ("May – June", "South Africa accused of illegally providing military exports to gross human rights violators"),
    ("July", "Defence export petition – a post-mortem review"),
    ("August – October", "Book review - The Palgrave Handbook of Small Arms and Conflicts in Africa"),
    ("November – December", "Sub-Saharan Africa and the arms trade, 2021"),
]

# "IPIS team" on 31 December 2021: (name, section).
TEAM_2021: list[tuple[str, str]] = [
    ("Filip Reyniers", "Administration"),
    ("Anne Hullebroeck", "Administration"),
    ("Julien Marquet", "Administration"),
    ("Patrick Vanderstukken", "Administration"),
    ("Peter Danssaert", "Researchers"),
    ("Ken Matthysen", "Researchers"),
    ("Didier Verbruggen", "Researchers"),
    ("Lotte Hoex", "Researchers"),
    ("Alexandre Jaillon", "Researchers"),
    ("Guillaume de Brier", "Researchers"),
    ("Hans Merket", "Researchers"),
    ("Mieke Thierens", "Researchers"),
    ("Erik Gobbers", "Researchers"),
    ("Thomas Muller", "Researchers"),
    ("Zacharie Bulakali Ntakobajira", "Focal Points"),
    ("Patient Lwarhoga Birindwa", "Focal Points"),
    ("Elard Mawala", "Focal Points"),
    ("Peer Schouten", "Associate Researchers"),
    ("Fiona Southward", "Associate Researchers"),
    ("Brian Wood", "Associate Researchers"),
    ("Steven Spittaels", "Associate Researchers"),
    ("Liliana Lizarazo Rodriguez", "Associate Researchers"),
]

# "Board of Directors" on 01/01/2021: (name, position).
BOARD_2021: list[tuple[str, str]] = [
    ("Johan Swinnen", "Chair"),
    ("Saartje Boutsen", "Member"),
    ("Jan Pollet", "Member"),
    ("Jean Reynaert", "Member"),
    ("Dirk Timmermans", "Member"),
    ("Ellen Talloen", "Member"),
]
