"""The fixed words of the catalogue: modalities, roles, facilitation levels and live tools.

Goals are content (`content/goals.toml`); these are code, because the app behaves on them.
Labels are English message ids, translated where they are shown.
"""

from __future__ import annotations

from server.i18n import N_

MODALITIES = {
    "on-site": N_("on site"),
    "online": N_("online"),
    "hybrid": N_("hybrid"),
}
ROLES = {
    "professionals": N_("professionals"),
    "bewoners": N_("residents and clients"),
    "ervaringsdeskundigen": N_("experts by experience"),
    "studenten": N_("students"),
    "beleidsmakers": N_("policy makers"),
    "onderzoekers": N_("researchers"),
    "docenten": N_("educators"),
}
FACILITATION = {
    "basis": N_("anyone in the group can lead it"),
    "getraind": N_("a facilitator who knows the method"),
    "ervaren": N_("an experienced facilitator"),
}
TOOLS = {
    "board": N_("board"),
    "vote": N_("voting"),
    "round": N_("round"),
    "position-chart": N_("positioning chart"),
    "chat": N_("chat"),
    "breakout": N_("breakouts"),
    "review": N_("look back at actions"),
    "harvest": N_("harvest"),
}
WEIGHT_LABELS = {
    0: N_("not"),
    1: N_("a little"),
    2: N_("well"),
    3: N_("strongly"),
}
MAX_WEIGHT = 3
