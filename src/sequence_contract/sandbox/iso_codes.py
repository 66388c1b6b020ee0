"""Country and subdivision codes the Customers API accepts in an address.

Facts from ISO 3166-1 (alpha-2) and ISO 3166-2 (US states, Canadian provinces and territories);
Sequence adds XK (Kosovo), which ISO reserves as a user-assigned code.
"""

_COUNTRIES = """
    AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ
    BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS BT BV BW BY BZ
    CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ
    DE DJ DK DM DO DZ
    EC EE EG EH ER ES ET
    FI FJ FK FM FO FR
    GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY
    HK HM HN HR HT HU
    ID IE IL IM IN IO IQ IR IS IT
    JE JM JO JP
    KE KG KH KI KM KN KP KR KW KY KZ
    LA LB LC LI LK LR LS LT LU LV LY
    MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ
    NA NC NE NF NG NI NL NO NP NR NU NZ
    OM
    PA PE PF PG PH PK PL PM PN PR PS PT PW PY
    QA
    RE RO RS RU RW
    SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ
    TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ
    UA UG UM US UY UZ
    VA VC VE VG VI VN VU
    WF WS
    XK
    YE YT
    ZA ZM ZW
"""
COUNTRY_CODES = frozenset(_COUNTRIES.split())

_US_STATES = """
    AL AK AZ AR CA CO CT DC DE FL GA HI ID IL IN IA KS KY LA ME MD MA MI MN MS MO MT NE NV NH
    NJ NM NY NC ND OH OK OR PA RI SC SD TN TX UT VT VA WA WV WI WY
"""
US_STATE_CODES = frozenset(_US_STATES.split())

_CANADIAN_PROVINCES = "AB BC MB NB NL NS NT NU ON PE QC SK YT"
CANADIAN_PROVINCE_CODES = frozenset(_CANADIAN_PROVINCES.split())

STATE_CODES = US_STATE_CODES | CANADIAN_PROVINCE_CODES

# The address docs say the state is required for these two countries.
COUNTRIES_REQUIRING_STATE = frozenset({"US", "CA"})
