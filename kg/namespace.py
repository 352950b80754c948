# GENERATED FILE, do not edit: run `python -m kg.namespace_gen` after changing ontology/.
"""Terms of the kikg ontology, generated from ``ontology/``.

A misspelt term raises at import or first use instead of minting an IRI nobody defined:

>>> KIKG.IndustrialComplex
rdflib.term.URIRef('https://w3id.org/kikg/def#IndustrialComplex')
"""

from rdflib.namespace import DefinedNamespace, Namespace
from rdflib.term import URIRef

__all__ = ["KIKG"]


class KIKG(DefinedNamespace):
    """The kikg ontology namespace."""

    _fail = True
    _NS = Namespace("https://w3id.org/kikg/def#")

    Act: URIRef  # act
    Actor: URIRef  # actor
    AdministrativeRegion: URIRef  # administrative region
    Agreement: URIRef  # agreement
    AnalysisResult: URIRef  # analysis result
    Association: URIRef  # association
    BusinessGroup: URIRef  # business group
    BusinessMission: URIRef  # business mission
    ChangeEvent: URIRef  # organisational change
    City: URIRef  # city
    Cluster: URIRef  # cluster
    ClusterOrganisation: URIRef  # cluster organisation
    ClusterZone: URIRef  # cluster zone
    Collaboration: URIRef  # collaboration
    Committee: URIRef  # committee
    Company: URIRef  # company
    Conference: URIRef  # conference
    CooperationAgreement: URIRef  # cooperation agreement
    Country: URIRef  # country
    DataSet: URIRef  # data set
    EUBody: URIRef  # EU body
    EconomicFramework: URIRef  # economic framework
    Event: URIRef  # event
    Facility: URIRef  # facility
    Fund: URIRef  # fund
    Government: URIRef  # government
    GovernmentAgency: URIRef  # government agency
    IndustrialComplex: URIRef  # industrial complex
    IndustrialSite: URIRef  # industrial site
    InnovationDistrict: URIRef  # innovation district
    InnovationSupportOrganisation: URIRef  # innovation support organisation
    InternationalOrganisation: URIRef  # international organisation
    JointDeclaration: URIRef  # joint declaration
    Legislature: URIRef  # legislature
    Listing: URIRef  # listing
    LocalGovernment: URIRef  # local government
    MatchmakingEvent: URIRef  # matchmaking event
    MediaOrganisation: URIRef  # media organisation
    Meeting: URIRef  # meeting
    MemorandumOfUnderstanding: URIRef  # memorandum of understanding
    MetropolitanCity: URIRef  # metropolitan city
    MiniCluster: URIRef  # mini cluster
    Ministry: URIRef  # ministry
    NetworkAnalysis: URIRef  # network analysis
    Observation: URIRef  # observation
    Organisation: URIRef  # organisation
    PanRegion: URIRef  # pan region
    Period: URIRef  # period
    Person: URIRef  # person
    Place: URIRef  # place
    Plan: URIRef  # plan
    Platform: URIRef  # platform
    Policy: URIRef  # policy
    PolicyEra: URIRef  # policy era
    Programme: URIRef  # programme
    ProgrammePhase: URIRef  # programme phase
    Project: URIRef  # project
    Province: URIRef  # province
    PublicCorporation: URIRef  # public corporation
    PublicOrganisation: URIRef  # public organisation
    Recommendation: URIRef  # policy recommendation
    RegionalGrouping: URIRef  # regional grouping
    Relationship: URIRef  # relationship
    ResearchInstitute: URIRef  # research institute
    SciencePark: URIRef  # science park
    ScienceTechnologyAgreement: URIRef  # science and technology agreement
    SourceDocument: URIRef  # source document
    SourceRecord: URIRef  # source record
    StatisticalArea: URIRef  # statistical area
    StrategicTask: URIRef  # strategic task
    Strategy: URIRef  # strategy
    SupportProgramme: URIRef  # support programme
    TradeAgreement: URIRef  # trade agreement
    University: URIRef  # university
    abbreviation: URIRef  # abbreviation
    actorLink: URIRef  # linked to actor
    adoptedAt: URIRef  # adopted at
    affiliateOf: URIRef  # affiliate of
    announces: URIRef  # announces
    basedOnAct: URIRef  # based on act
    changeKind: URIRef  # kind of change
    characteristic: URIRef  # characteristic
    coSigns: URIRef  # co-signs with
    columnLabel: URIRef  # column label
    community: URIRef  # community
    concerns: URIRef  # concerns
    containedIn: URIRef  # contained in
    cooperatesWith: URIRef  # cooperates with
    coordinatesWith: URIRef  # coordinates with
    country: URIRef  # belongs to country
    countsMembersOf: URIRef  # counts members of
    designation: URIRef  # designation
    detail: URIRef  # detail
    developmentStage: URIRef  # development stage
    documentType: URIRef  # document type
    enactedOn: URIRef  # enacted on
    endDate: URIRef  # end date
    endYear: URIRef  # end year
    entityComponent: URIRef  # entity dimension
    establishes: URIRef  # establishes
    eventDate: URIRef  # event date
    evidence: URIRef  # evidence
    fileName: URIRef  # file name
    formerName: URIRef  # former name
    funds: URIRef  # funds
    fundsActor: URIRef  # funds actor
    headerDecision: URIRef  # header decision
    headquarteredIn: URIRef  # headquartered in
    heldAt: URIRef  # held at
    heldIn: URIRef  # held in
    hosts: URIRef  # hosts
    implements: URIRef  # implements
    inForceFrom: URIRef  # in force from
    inZone: URIRef  # in zone
    indicator: URIRef  # indicator
    indicatorComponent: URIRef  # indicator dimension
    involvedIn: URIRef  # involved in
    kind: URIRef  # kind
    leads: URIRef  # leads
    listingComplete: URIRef  # listing complete
    listsMember: URIRef  # lists member
    locatedIn: URIRef  # located in
    locator: URIRef  # locator
    manages: URIRef  # manages
    managesOnBehalfOf: URIRef  # manages on behalf of
    memberOf: URIRef  # member of
    metric: URIRef  # metric
    minimumParticipants: URIRef  # minimum participants
    modality: URIRef  # modality
    multiplierComponent: URIRef  # multiplier attribute
    note: URIRef  # curation note
    numericValue: URIRef  # numeric value
    observationRole: URIRef  # observation role
    observationStructure: URIRef  # structure of the observations
    observedEntity: URIRef  # observed entity
    onSite: URIRef  # on site
    ordinal: URIRef  # ordinal
    parameters: URIRef  # parameters
    partOf: URIRef  # part of
    partOfPeriod: URIRef  # part of period
    participatesIn: URIRef  # participates in
    passes: URIRef  # passes
    periodComponent: URIRef  # period dimension
    phaseOf: URIRef  # phase of
    plans: URIRef  # plans
    plansJointlyWith: URIRef  # plans jointly with
    presides: URIRef  # presides
    printedComponent: URIRef  # printed value attribute
    printedValue: URIRef  # printed value
    projection: URIRef  # projection
    projectionQuery: URIRef  # projection query
    rank: URIRef  # rank
    ratifiedOn: URIRef  # ratified on
    refPeriod: URIRef  # reference period
    relation: URIRef  # relation
    relationObject: URIRef  # relation object
    relationSubject: URIRef  # relation subject
    reportsTo: URIRef  # reports to
    requirement: URIRef  # requirement
    resultFor: URIRef  # result for
    reviewedOn: URIRef  # reviewed on
    role: URIRef  # role
    roleComponent: URIRef  # role attribute
    roundingTolerance: URIRef  # rounding tolerance
    rowLabel: URIRef  # row label
    score: URIRef  # score
    signatoryOf: URIRef  # signatory of
    sourceKey: URIRef  # source key
    sourceRow: URIRef  # source row
    sourceTable: URIRef  # source table
    specialisesIn: URIRef  # specialises in
    startDate: URIRef  # start date
    startYear: URIRef  # start year
    status: URIRef  # status
    successorOf: URIRef  # successor of
    supervises: URIRef  # supervises
    supervisesPolicy: URIRef  # supervises policy
    supports: URIRef  # supports
    targets: URIRef  # targets
    unit: URIRef  # unit
    unitComponent: URIRef  # unit attribute
    unitMultiplier: URIRef  # unit multiplier
    valueComponent: URIRef  # value measure
    valueQualifier: URIRef  # value qualifier
    valueStatus: URIRef  # value status
