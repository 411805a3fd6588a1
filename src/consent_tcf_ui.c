/*
 * Copyright (C) ngx_http_consent_module authors
 *
 * The TCF's first and second layer (src/consent_tcf_ui.h).
 */


#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <jansson.h>

#include "consent_escape.h"
#include "consent_policy.h"
#include "consent_tcf.h"
#include "consent_tcf_gvl.h"
#include "consent_tcf_i18n.h"
#include "consent_tcf_map.h"
#include "consent_tcf_ui.h"


/* purposes for which the TCF allows no legitimate interest */
#define CONSENT_TCF_UI_NO_LI  ((1u << 0) | (1u << 2) | (1u << 3)              \
                               | (1u << 4) | (1u << 5))


typedef struct {
    char               *data;
    size_t              len;
    size_t              size;
    int                 failed;
} consent_tcf_buf_t;


/* the interface's own words, beside the GVL's */
typedef enum {
    CONSENT_TCF_S_INTRO = 0,
    CONSENT_TCF_S_LI,
    CONSENT_TCF_S_WITHDRAW,
    CONSENT_TCF_S_SCOPE,
    CONSENT_TCF_S_PURPOSES,
    CONSENT_TCF_S_SPECIAL_FEATURES,
    CONSENT_TCF_S_SPECIAL_PURPOSES,
    CONSENT_TCF_S_FEATURES,
    CONSENT_TCF_S_VENDORS,
    CONSENT_TCF_S_VENDOR_LINK,
    CONSENT_TCF_S_CONSENT,
    CONSENT_TCF_S_LI_LABEL,
    CONSENT_TCF_S_OPT_IN,
    CONSENT_TCF_S_EXAMPLES,
    CONSENT_TCF_S_N_CONSENT,
    CONSENT_TCF_S_N_LI,
    CONSENT_TCF_S_V_CONSENT,
    CONSENT_TCF_S_V_LI,
    CONSENT_TCF_S_RETENTION,
    CONSENT_TCF_S_DAYS,
    CONSENT_TCF_S_SECONDS,
    CONSENT_TCF_S_DATA,
    CONSENT_TCF_S_PRIVACY,
    CONSENT_TCF_S_LI_CLAIM,
    CONSENT_TCF_S_COOKIE_AGE,
    CONSENT_TCF_S_NON_COOKIE,
    CONSENT_TCF_S_OTHER,
    CONSENT_TCF_S_NO_CHOICE,
    CONSENT_TCF_S_ATPS,
    CONSENT_TCF_S_ATP,
    CONSENT_TCF_S_N
} consent_tcf_s_e;


typedef struct {
    const char         *lang;
    const char         *s[CONSENT_TCF_S_N];
} consent_tcf_words_t;


static const consent_tcf_words_t  consent_tcf_words[] = {

    { "en", {
        "We and our {n} partners store and access information on your "
        "device, such as cookies, and process personal data, such as "
        "unique identifiers and browsing data, for the purposes below.",
        "Some of our partners process your personal data on the basis of "
        "their legitimate interest, without asking for your consent. You "
        "have the right to object to it in the detailed settings.",
        "You can change your choice and withdraw your consent at any "
        "time, from this site's privacy settings link.",
        "Your choice applies to this site only.",
        "Purposes",
        "Special features",
        "Special purposes",
        "Features",
        "Partners ({n})",
        "Our {n} partners and the details of each purpose",
        "Consent",
        "Legitimate interest",
        "Allow",
        "Examples",
        "Partners asking for consent: {n}",
        "Partners relying on legitimate interest: {n}",
        "Purposes (consent)",
        "Purposes (legitimate interest)",
        "Data retention",
        "{n} days",
        "{n} seconds",
        "Data categories",
        "Privacy policy",
        "Legitimate interest claim",
        "Cookie maximum age",
        "Also stores or reads information by other means than cookies",
        "Other cookies of this site",
        "These need no choice: they are listed for your information.",
        "Google's ad technology providers ({n})",
        "Provider {n}",
    } },

    { "de", {
        "Wir und unsere {n} Partner speichern Informationen auf Ihrem "
        "Gerät und rufen sie ab, etwa Cookies, und verarbeiten "
        "personenbezogene Daten, etwa eindeutige Kennungen und "
        "Browsing-Daten, für die folgenden Zwecke.",
        "Einige unserer Partner verarbeiten Ihre personenbezogenen Daten "
        "auf der Grundlage ihres berechtigten Interesses, ohne Ihre "
        "Einwilligung einzuholen. Sie haben das Recht, dem in den "
        "Einstellungen zu widersprechen.",
        "Sie können Ihre Wahl jederzeit ändern und Ihre Einwilligung "
        "widerrufen, über den Link zu den Datenschutzeinstellungen dieser "
        "Website.",
        "Ihre Wahl gilt nur für diese Website.",
        "Zwecke",
        "Besondere Merkmale",
        "Besondere Zwecke",
        "Merkmale",
        "Partner ({n})",
        "Unsere {n} Partner und die Einzelheiten jedes Zwecks",
        "Einwilligung",
        "Berechtigtes Interesse",
        "Erlauben",
        "Beispiele",
        "Partner, die um Einwilligung bitten: {n}",
        "Partner mit berechtigtem Interesse: {n}",
        "Zwecke (Einwilligung)",
        "Zwecke (berechtigtes Interesse)",
        "Speicherdauer",
        "{n} Tage",
        "{n} Sekunden",
        "Datenkategorien",
        "Datenschutzerklärung",
        "Erklärung zum berechtigten Interesse",
        "Höchste Lebensdauer der Cookies",
        "Speichert oder liest Informationen auch auf andere Weise als "
        "mit Cookies",
        "Weitere Cookies dieser Website",
        "Hier ist keine Wahl nötig: sie stehen zu Ihrer Information hier.",
        "Anbieter von Werbetechnologie bei Google ({n})",
        "Anbieter {n}",
    } },

    { "fr", {
        "Nos {n} partenaires et nous stockons des informations sur votre "
        "appareil et y accédons, comme les cookies, et traitons des "
        "données personnelles, comme des identifiants uniques et des "
        "données de navigation, pour les finalités ci-dessous.",
        "Certains de nos partenaires traitent vos données personnelles "
        "sur la base de leur intérêt légitime, sans demander votre "
        "consentement. Vous avez le droit de vous y opposer dans les "
        "paramètres détaillés.",
        "Vous pouvez modifier votre choix et retirer votre consentement à "
        "tout moment, depuis le lien des paramètres de confidentialité de "
        "ce site.",
        "Votre choix ne vaut que pour ce site.",
        "Finalités",
        "Fonctionnalités spéciales",
        "Finalités spéciales",
        "Fonctionnalités",
        "Partenaires ({n})",
        "Nos {n} partenaires et le détail de chaque finalité",
        "Consentement",
        "Intérêt légitime",
        "Autoriser",
        "Exemples",
        "Partenaires demandant le consentement : {n}",
        "Partenaires invoquant l'intérêt légitime : {n}",
        "Finalités (consentement)",
        "Finalités (intérêt légitime)",
        "Durée de conservation",
        "{n} jours",
        "{n} secondes",
        "Catégories de données",
        "Politique de confidentialité",
        "Déclaration d'intérêt légitime",
        "Durée de vie maximale des cookies",
        "Stocke ou lit aussi des informations autrement que par des "
        "cookies",
        "Autres cookies de ce site",
        "Ils ne demandent pas de choix : ils sont listés pour votre "
        "information.",
        "Fournisseurs de technologie publicitaire de Google ({n})",
        "Fournisseur {n}",
    } },

    { "es", {
        "Nosotros y nuestros {n} socios almacenamos información en su "
        "dispositivo y accedemos a ella, como las cookies, y tratamos "
        "datos personales, como identificadores únicos y datos de "
        "navegación, para los fines siguientes.",
        "Algunos de nuestros socios tratan sus datos personales sobre "
        "la base de su interés legítimo, sin pedir su consentimiento. "
        "Tiene derecho a oponerse en la configuración detallada.",
        "Puede cambiar su elección y retirar su consentimiento en "
        "cualquier momento, desde el enlace de configuración de "
        "privacidad de este sitio.",
        "Su elección solo se aplica a este sitio.",
        "Finalidades",
        "Características especiales",
        "Finalidades especiales",
        "Características",
        "Socios ({n})",
        "Nuestros {n} socios y el detalle de cada finalidad",
        "Consentimiento",
        "Interés legítimo",
        "Permitir",
        "Ejemplos",
        "Socios que piden el consentimiento: {n}",
        "Socios que alegan un interés legítimo: {n}",
        "Finalidades (consentimiento)",
        "Finalidades (interés legítimo)",
        "Conservación de los datos",
        "{n} días",
        "{n} segundos",
        "Categorías de datos",
        "Política de privacidad",
        "Declaración de interés legítimo",
        "Duración máxima de las cookies",
        "También almacena o lee información por medios distintos de las"
        " cookies",
        "Otras cookies de este sitio",
        "No requieren ninguna elección: se muestran a título "
        "informativo.",
        "Proveedores de tecnología publicitaria de Google ({n})",
        "Proveedor {n}",
    } },

    { "it", {
        "Noi e i nostri {n} partner archiviamo informazioni sul tuo "
        "dispositivo e vi accediamo, come i cookie, e trattiamo dati "
        "personali, come identificatori univoci e dati di navigazione, "
        "per le finalità seguenti.",
        "Alcuni dei nostri partner trattano i tuoi dati personali sulla"
        " base del loro legittimo interesse, senza chiedere il tuo "
        "consenso. Hai il diritto di opporti nelle impostazioni "
        "dettagliate.",
        "Puoi modificare la tua scelta e revocare il consenso in "
        "qualsiasi momento, dal link delle impostazioni sulla privacy "
        "di questo sito.",
        "La tua scelta vale solo per questo sito.",
        "Finalità",
        "Funzionalità speciali",
        "Finalità speciali",
        "Funzionalità",
        "Partner ({n})",
        "I nostri {n} partner e il dettaglio di ogni finalità",
        "Consenso",
        "Legittimo interesse",
        "Consenti",
        "Esempi",
        "Partner che chiedono il consenso: {n}",
        "Partner che invocano il legittimo interesse: {n}",
        "Finalità (consenso)",
        "Finalità (legittimo interesse)",
        "Conservazione dei dati",
        "{n} giorni",
        "{n} secondi",
        "Categorie di dati",
        "Informativa sulla privacy",
        "Dichiarazione di legittimo interesse",
        "Durata massima dei cookie",
        "Archivia o legge informazioni anche con mezzi diversi dai "
        "cookie",
        "Altri cookie di questo sito",
        "Non richiedono alcuna scelta: sono elencate a titolo "
        "informativo.",
        "Fornitori di tecnologia pubblicitaria di Google ({n})",
        "Fornitore {n}",
    } },

    { "nl", {
        "Wij en onze {n} partners slaan informatie op uw apparaat op en"
        " lezen die, zoals cookies, en verwerken persoonsgegevens, "
        "zoals unieke identificatoren en surfgegevens, voor de "
        "onderstaande doeleinden.",
        "Sommige van onze partners verwerken uw persoonsgegevens op "
        "basis van hun gerechtvaardigd belang, zonder om uw toestemming"
        " te vragen. U hebt het recht daartegen bezwaar te maken in de "
        "uitgebreide instellingen.",
        "U kunt uw keuze altijd wijzigen en uw toestemming intrekken, "
        "via de link naar de privacy-instellingen van deze site.",
        "Uw keuze geldt alleen voor deze site.",
        "Doeleinden",
        "Speciale functies",
        "Speciale doeleinden",
        "Functies",
        "Partners ({n})",
        "Onze {n} partners en de details van elk doeleinde",
        "Toestemming",
        "Gerechtvaardigd belang",
        "Toestaan",
        "Voorbeelden",
        "Partners die om toestemming vragen: {n}",
        "Partners die zich op gerechtvaardigd belang beroepen: {n}",
        "Doeleinden (toestemming)",
        "Doeleinden (gerechtvaardigd belang)",
        "Bewaartermijn",
        "{n} dagen",
        "{n} seconden",
        "Gegevenscategorieën",
        "Privacybeleid",
        "Verklaring over gerechtvaardigd belang",
        "Maximale levensduur van cookies",
        "Slaat ook informatie op of leest die op andere manieren dan "
        "met cookies",
        "Andere cookies van deze site",
        "Hiervoor is geen keuze nodig: ze staan hier ter informatie.",
        "Advertentietechnologieaanbieders van Google ({n})",
        "Aanbieder {n}",
    } },

    { "pt", {
        "Nós e os nossos {n} parceiros armazenamos informações no seu "
        "dispositivo e acedemos a elas, como cookies, e tratamos dados "
        "pessoais, como identificadores únicos e dados de navegação, "
        "para as finalidades abaixo.",
        "Alguns dos nossos parceiros tratam os seus dados pessoais com "
        "base no seu interesse legítimo, sem pedir o seu consentimento."
        " Tem o direito de se opor a isso nas definições detalhadas.",
        "Pode alterar a sua escolha e retirar o seu consentimento a "
        "qualquer momento, a partir da ligação das definições de "
        "privacidade deste site.",
        "A sua escolha aplica-se apenas a este site.",
        "Finalidades",
        "Funcionalidades especiais",
        "Finalidades especiais",
        "Funcionalidades",
        "Parceiros ({n})",
        "Os nossos {n} parceiros e o detalhe de cada finalidade",
        "Consentimento",
        "Interesse legítimo",
        "Permitir",
        "Exemplos",
        "Parceiros que pedem consentimento: {n}",
        "Parceiros que invocam interesse legítimo: {n}",
        "Finalidades (consentimento)",
        "Finalidades (interesse legítimo)",
        "Conservação dos dados",
        "{n} dias",
        "{n} segundos",
        "Categorias de dados",
        "Política de privacidade",
        "Declaração de interesse legítimo",
        "Duração máxima dos cookies",
        "Também armazena ou lê informações por outros meios além dos "
        "cookies",
        "Outros cookies deste site",
        "Não exigem escolha: são apresentados a título informativo.",
        "Fornecedores de tecnologia publicitária da Google ({n})",
        "Fornecedor {n}",
    } },
};


typedef struct {
    const char         *name;
    unsigned            id;
} consent_tcf_ui_vendor_t;


static void consent_tcf_buf_add(consent_tcf_buf_t *b, const char *s,
    size_t n);
static void consent_tcf_buf_str(consent_tcf_buf_t *b, const char *s);
static void consent_tcf_buf_esc(consent_tcf_buf_t *b, const char *s);
static void consent_tcf_buf_escn(consent_tcf_buf_t *b, const char *s,
    size_t len);
static void consent_tcf_buf_num(consent_tcf_buf_t *b, unsigned long n);
static void consent_tcf_buf_fmt(consent_tcf_buf_t *b, const char *s,
    unsigned long n);
static char *consent_tcf_buf_done(consent_tcf_buf_t *b, size_t *len);
static const consent_tcf_words_t *consent_tcf_ui_words(const char *lang);
static json_t *consent_tcf_ui_item(const consent_tcf_gvl_t *gvl,
    const consent_tcf_tr_t *tr, const char *kind, unsigned id);
static const char *consent_tcf_ui_str(json_t *o, const char *key);
static void consent_tcf_ui_name(consent_tcf_buf_t *b,
    const consent_tcf_gvl_t *gvl, const consent_tcf_tr_t *tr,
    const char *kind, unsigned id);
static void consent_tcf_ui_heading(consent_tcf_buf_t *b, unsigned level,
    const char *text, unsigned long n);
static void consent_tcf_ui_used(const consent_tcf_gvl_t *gvl,
    uint32_t *purposes, uint32_t *li, uint32_t *special_features);
static void consent_tcf_ui_entry(consent_tcf_buf_t *b,
    const consent_tcf_gvl_t *gvl, const consent_tcf_tr_t *tr,
    const consent_tcf_words_t *w, const char *kind, unsigned id,
    unsigned level);
static void consent_tcf_ui_box(consent_tcf_buf_t *b, const char *field,
    unsigned id, int checked, const char *label);
static void consent_tcf_ui_names(consent_tcf_buf_t *b,
    const consent_tcf_gvl_t *gvl, const consent_tcf_tr_t *tr,
    const char *kind, uint32_t bits);
static void consent_tcf_ui_dt(consent_tcf_buf_t *b, const char *term);
static void consent_tcf_ui_url(consent_tcf_buf_t *b, const char *url);
static void consent_tcf_ui_vendor(consent_tcf_buf_t *b,
    const consent_tcf_gvl_t *gvl, const consent_tcf_tr_t *tr,
    const consent_tcf_words_t *w, const char *lang,
    const consent_tcf_ui_conf_t *uc, unsigned id);
static void consent_tcf_ui_retention(consent_tcf_buf_t *b,
    const consent_tcf_gvl_t *gvl, const consent_tcf_tr_t *tr,
    const consent_tcf_words_t *w, json_t *v);
static void consent_tcf_ui_urls(consent_tcf_buf_t *b,
    const consent_tcf_words_t *w, const char *lang, json_t *v);
static int consent_tcf_ui_vendor_cmp(const void *a, const void *b);
static void consent_tcf_ui_atps(consent_tcf_buf_t *b,
    const consent_tcf_words_t *w, const consent_policy_t *policy,
    unsigned level);
static void consent_tcf_ui_buttons(consent_tcf_buf_t *b,
    const consent_policy_t *policy, const char *lang, unsigned withdraw);
static void consent_tcf_ui_form(consent_tcf_buf_t *b,
    const consent_tcf_gvl_t *gvl, const consent_tcf_tr_t *tr,
    const consent_policy_t *policy, const char *lang,
    const consent_tcf_ui_conf_t *uc);


static void
consent_tcf_buf_add(consent_tcf_buf_t *b, const char *s, size_t n)
{
    char    *p;
    size_t   size;

    if (b->failed) {
        return;
    }

    if (b->len + n + 1 > b->size) {
        size = b->size ? b->size : 4096;

        while (size < b->len + n + 1) {
            size *= 2;
        }

        p = realloc(b->data, size);

        if (p == NULL) {
            b->failed = 1;
            return;
        }

        b->data = p;
        b->size = size;
    }

    memcpy(b->data + b->len, s, n);
    b->len += n;
    b->data[b->len] = '\0';
}


static void
consent_tcf_buf_str(consent_tcf_buf_t *b, const char *s)
{
    consent_tcf_buf_add(b, s, strlen(s));
}


/* text or a double-quoted attribute value, from any source */

static void
consent_tcf_buf_esc(consent_tcf_buf_t *b, const char *s)
{
    consent_tcf_buf_escn(b, s, strlen(s));
}


static void
consent_tcf_buf_escn(consent_tcf_buf_t *b, const char *s, size_t len)
{
    char    tmp[CONSENT_ESCAPE_MAX * 256], *e;
    size_t  n;

    while (len) {
        n = len < 256 ? len : 256;
        e = consent_escape_html(tmp, s, n,
                                CONSENT_ESCAPE_APOS | CONSENT_ESCAPE_CTRL);
        consent_tcf_buf_add(b, tmp, e - tmp);
        s += n;
        len -= n;
    }
}


static void
consent_tcf_buf_num(consent_tcf_buf_t *b, unsigned long n)
{
    char  tmp[24];

    snprintf(tmp, sizeof(tmp), "%lu", n);
    consent_tcf_buf_str(b, tmp);
}


/* one of the interface's words, its "{n}" replaced by n */

static void
consent_tcf_buf_fmt(consent_tcf_buf_t *b, const char *s, unsigned long n)
{
    char        tmp[512];
    const char  *p;

    p = strstr(s, "{n}");

    if (p == NULL || (size_t) (p - s) >= sizeof(tmp)) {
        consent_tcf_buf_esc(b, s);
        return;
    }

    memcpy(tmp, s, p - s);
    tmp[p - s] = '\0';
    consent_tcf_buf_esc(b, tmp);
    consent_tcf_buf_num(b, n);
    consent_tcf_buf_esc(b, p + 3);
}


static char *
consent_tcf_buf_done(consent_tcf_buf_t *b, size_t *len)
{
    if (b->failed || b->data == NULL) {
        free(b->data);
        return NULL;
    }

    if (len != NULL) {
        *len = b->len;
    }

    return b->data;
}


/* the interface's words in lang's primary language, else English */

static const consent_tcf_words_t *
consent_tcf_ui_words(const char *lang)
{
    size_t  i, k, n;

    n = lang ? strcspn(lang, "-_") : 0;

    for (i = 0; i < sizeof(consent_tcf_words) / sizeof(consent_tcf_words[0]);
         i++)
    {
        if (n == 2 && strncasecmp(lang, consent_tcf_words[i].lang, 2) == 0)
        {
            break;
        }
    }

    if (i == sizeof(consent_tcf_words) / sizeof(consent_tcf_words[0])) {
        return &consent_tcf_words[0];
    }

    /* a language short of a word (added later) is English */

    for (k = 0; k < CONSENT_TCF_S_N; k++) {
        if (consent_tcf_words[i].s[k] == NULL) {
            return &consent_tcf_words[0];
        }
    }

    return &consent_tcf_words[i];
}


/*
 * "purposes" 3: the translation's entry if it has a name, else the
 * GVL's; NULL when neither defines it
 */

static json_t *
consent_tcf_ui_item(const consent_tcf_gvl_t *gvl, const consent_tcf_tr_t *tr,
    const char *kind, unsigned id)
{
    char     key[16];
    json_t  *o;

    snprintf(key, sizeof(key), "%u", id);

    if (tr != NULL) {
        o = json_object_get(json_object_get(tr->json, kind), key);

        if (consent_tcf_ui_str(o, "name") != NULL) {
            return o;
        }
    }

    o = json_object_get(json_object_get(gvl->json, kind), key);

    return json_is_object(o) ? o : NULL;
}


/* a non-empty string member, or NULL */

static const char *
consent_tcf_ui_str(json_t *o, const char *key)
{
    json_t  *v;

    v = json_object_get(o, key);

    if (!json_is_string(v) || json_string_length(v) == 0) {
        return NULL;
    }

    return json_string_value(v);
}


static void
consent_tcf_ui_name(consent_tcf_buf_t *b, const consent_tcf_gvl_t *gvl,
    const consent_tcf_tr_t *tr, const char *kind, unsigned id)
{
    const char  *name;

    name = consent_tcf_ui_str(consent_tcf_ui_item(gvl, tr, kind, id),
                              "name");

    if (name != NULL) {
        consent_tcf_buf_esc(b, name);

    } else {
        consent_tcf_buf_num(b, id);
    }
}


static void
consent_tcf_ui_heading(consent_tcf_buf_t *b, unsigned level,
    const char *text, unsigned long n)
{
    char  tag[8];

    snprintf(tag, sizeof(tag), "h%u>", level < 2 || level > 6 ? 3 : level);

    consent_tcf_buf_str(b, "<");
    consent_tcf_buf_str(b, tag);
    consent_tcf_buf_fmt(b, text, n);
    consent_tcf_buf_str(b, "</");
    consent_tcf_buf_str(b, tag);
    consent_tcf_buf_str(b, "\n");
}


/* what the vendors listed (not deleted) ask for */

static void
consent_tcf_ui_used(const consent_tcf_gvl_t *gvl, uint32_t *purposes,
    uint32_t *li, uint32_t *special_features)
{
    unsigned                     id;
    const consent_tcf_vendor_t  *v;

    *purposes = 0;
    *li = 0;
    *special_features = 0;

    for (id = 1; id <= gvl->max_vendor; id++) {
        v = &gvl->vendors[id];

        if (v->name == NULL || v->deleted) {
            continue;
        }

        *purposes |= v->purposes | v->flexible_purposes;
        *li |= v->li_purposes;
        *special_features |= v->special_features;
    }
}


char *
consent_tcf_ui_first(const consent_tcf_gvl_t *gvl,
    const consent_tcf_tr_t *tr, const consent_policy_t *policy,
    const char *lang, const consent_tcf_ui_conf_t *uc, size_t *len)
{
    int                         fits;
    size_t                      i, bestn, n;
    json_t                     *stacks, *s, *a, *e, *best;
    uint32_t                    used, li, sf, left, bits, bestbits;
    unsigned                    id;
    const char                 *k;
    consent_tcf_buf_t           b;
    const consent_tcf_words_t  *w;

    memset(&b, 0, sizeof(consent_tcf_buf_t));
    w = consent_tcf_ui_words(lang);

    consent_tcf_ui_used(gvl, &used, &li, &sf);

    consent_tcf_buf_str(&b, "<div class=\"consent-tcf-first\">\n<p>");
    consent_tcf_buf_fmt(&b, w->s[CONSENT_TCF_S_INTRO], gvl->nvendors);
    consent_tcf_buf_str(&b, "</p>\n<ul class=\"consent-tcf-purposes\">\n");

    /*
     * a stack names several purposes and special features in one line
     * (the TCF lets the first layer use them): the widest stacks first
     * whose every purpose and special feature is used and not yet named;
     * bits 0-23 are purposes, 24-31 special features
     */

    left = (used | li) | (sf << 24);
    stacks = json_object_get(gvl->json, "stacks");

    for ( ;; ) {
        best = NULL;
        bestn = 1;
        bestbits = 0;

        json_object_foreach(stacks, k, s) {
            bits = 0;
            n = 0;
            fits = 1;

            a = json_object_get(s, "purposes");

            json_array_foreach(a, i, e) {
                id = (unsigned) json_integer_value(e);
                if (id < 1 || id > 24 || !(left & (1u << (id - 1)))) {
                    fits = 0;
                }
                bits |= id >= 1 && id <= 24 ? 1u << (id - 1) : 0;
                n++;
            }

            a = json_object_get(s, "specialFeatures");

            json_array_foreach(a, i, e) {
                id = (unsigned) json_integer_value(e);
                if (id < 1 || id > 8 || !(left & (1u << (id + 23)))) {
                    fits = 0;
                }
                bits |= id >= 1 && id <= 8 ? 1u << (id + 23) : 0;
                n++;
            }

            if (fits && n > bestn) {
                best = s;
                bestn = n;
                bestbits = bits;
            }
        }

        if (best == NULL) {
            break;
        }

        left &= ~bestbits;
        id = (unsigned) json_integer_value(json_object_get(best, "id"));

        consent_tcf_buf_str(&b, "<li class=\"consent-tcf-stack\">");
        consent_tcf_ui_name(&b, gvl, tr, "stacks", id);
        consent_tcf_buf_str(&b, "</li>\n");
    }

    for (id = 1; id <= CONSENT_TCF_PURPOSES; id++) {
        if (left & (1u << (id - 1))) {
            consent_tcf_buf_str(&b, "<li>");
            consent_tcf_ui_name(&b, gvl, tr, "purposes", id);
            consent_tcf_buf_str(&b, "</li>\n");
        }
    }

    consent_tcf_buf_str(&b, "</ul>\n");

    if (left >> 24) {
        consent_tcf_buf_str(&b, "<p>");
        consent_tcf_buf_esc(&b, w->s[CONSENT_TCF_S_SPECIAL_FEATURES]);
        consent_tcf_buf_str(&b, ":</p>\n<ul class=\"consent-tcf-features\">"
                                "\n");

        for (id = 1; id <= 8; id++) {
            if (left & (1u << (id + 23))) {
                consent_tcf_buf_str(&b, "<li>");
                consent_tcf_ui_name(&b, gvl, tr, "specialFeatures", id);
                consent_tcf_buf_str(&b, "</li>\n");
            }
        }

        consent_tcf_buf_str(&b, "</ul>\n");
    }

    consent_tcf_buf_str(&b, "<p>");

    if (li & ~CONSENT_TCF_UI_NO_LI) {
        consent_tcf_buf_esc(&b, w->s[CONSENT_TCF_S_LI]);
        consent_tcf_buf_str(&b, " ");
    }

    consent_tcf_buf_esc(&b, w->s[CONSENT_TCF_S_WITHDRAW]);
    consent_tcf_buf_str(&b, " ");
    consent_tcf_buf_esc(&b, w->s[CONSENT_TCF_S_SCOPE]);
    consent_tcf_buf_str(&b, "</p>\n<p><a href=\"");
    consent_tcf_buf_escn(&b, uc->endpoint, uc->endpoint_len);
    consent_tcf_buf_str(&b, "\" class=\"consent-tcf-vendors-link\" "
                            "data-consent-open>");
    consent_tcf_buf_fmt(&b, w->s[CONSENT_TCF_S_VENDOR_LINK], gvl->nvendors);
    consent_tcf_buf_str(&b, "</a></p>\n</div>\n");

    return consent_tcf_buf_done(&b, len);
}


/* a purpose, special purpose, feature, special feature: what it is */

static void
consent_tcf_ui_entry(consent_tcf_buf_t *b, const consent_tcf_gvl_t *gvl,
    const consent_tcf_tr_t *tr, const consent_tcf_words_t *w,
    const char *kind, unsigned id, unsigned level)
{
    size_t       i;
    json_t      *item, *ill, *e;
    const char  *desc;

    item = consent_tcf_ui_item(gvl, tr, kind, id);

    consent_tcf_buf_str(b, "<h");
    consent_tcf_buf_num(b, level);
    consent_tcf_buf_str(b, ">");
    consent_tcf_ui_name(b, gvl, tr, kind, id);
    consent_tcf_buf_str(b, "</h");
    consent_tcf_buf_num(b, level);
    consent_tcf_buf_str(b, ">\n");

    desc = consent_tcf_ui_str(item, "description");

    if (desc != NULL) {
        consent_tcf_buf_str(b, "<p>");
        consent_tcf_buf_esc(b, desc);
        consent_tcf_buf_str(b, "</p>\n");
    }

    ill = json_object_get(item, "illustrations");

    if (json_is_array(ill) && json_array_size(ill) > 0) {
        consent_tcf_buf_str(b, "<details><summary>");
        consent_tcf_buf_esc(b, w->s[CONSENT_TCF_S_EXAMPLES]);
        consent_tcf_buf_str(b, "</summary>\n<ul>\n");

        json_array_foreach(ill, i, e) {
            if (json_is_string(e)) {
                consent_tcf_buf_str(b, "<li>");
                consent_tcf_buf_esc(b, json_string_value(e));
                consent_tcf_buf_str(b, "</li>\n");
            }
        }

        consent_tcf_buf_str(b, "</ul>\n</details>\n");
    }
}


static void
consent_tcf_ui_box(consent_tcf_buf_t *b, const char *field, unsigned id,
    int checked, const char *label)
{
    consent_tcf_buf_str(b, "<label><input type=\"checkbox\" name=\"");
    consent_tcf_buf_str(b, field);
    consent_tcf_buf_str(b, "\" value=\"");
    consent_tcf_buf_num(b, id);
    consent_tcf_buf_str(b, checked ? "\" checked> " : "\"> ");
    consent_tcf_buf_esc(b, label);
    consent_tcf_buf_str(b, "</label>\n");
}


/* the names of bits' purposes (or other kind), comma-separated */

static void
consent_tcf_ui_names(consent_tcf_buf_t *b, const consent_tcf_gvl_t *gvl,
    const consent_tcf_tr_t *tr, const char *kind, uint32_t bits)
{
    int       first;
    unsigned  id;

    first = 1;

    for (id = 1; id <= 32; id++) {
        if (bits & (1u << (id - 1))) {
            if (!first) {
                consent_tcf_buf_str(b, ", ");
            }

            consent_tcf_ui_name(b, gvl, tr, kind, id);
            first = 0;
        }
    }
}


static void
consent_tcf_ui_dt(consent_tcf_buf_t *b, const char *term)
{
    consent_tcf_buf_str(b, "<dt>");
    consent_tcf_buf_esc(b, term);
    consent_tcf_buf_str(b, "</dt><dd>");
}


/* a link only for http(s): a javascript: URL in a GVL is text */

static void
consent_tcf_ui_url(consent_tcf_buf_t *b, const char *url)
{
    if (strncasecmp(url, "https://", 8) == 0
        || strncasecmp(url, "http://", 7) == 0)
    {
        consent_tcf_buf_str(b, "<a href=\"");
        consent_tcf_buf_esc(b, url);
        consent_tcf_buf_str(b, "\" rel=\"noopener noreferrer\">");
        consent_tcf_buf_esc(b, url);
        consent_tcf_buf_str(b, "</a>");

    } else {
        consent_tcf_buf_esc(b, url);
    }
}


/* "dataRetention": {"stdRetention": 365, "purposes": {"3": 30}, ...} */

static void
consent_tcf_ui_retention(consent_tcf_buf_t *b, const consent_tcf_gvl_t *gvl,
    const consent_tcf_tr_t *tr, const consent_tcf_words_t *w, json_t *v)
{
    int          first;
    json_t      *r, *std, *per, *d;
    size_t       k;
    unsigned     id;
    json_int_t   days;
    const char  *key, *kinds[2];

    r = json_object_get(v, "dataRetention");

    if (!json_is_object(r)) {
        return;
    }

    consent_tcf_ui_dt(b, w->s[CONSENT_TCF_S_RETENTION]);
    first = 1;
    std = json_object_get(r, "stdRetention");

    if (json_is_integer(std) && json_integer_value(std) >= 0) {
        consent_tcf_buf_fmt(b, w->s[CONSENT_TCF_S_DAYS],
                            (unsigned long) json_integer_value(std));
        first = 0;
    }

    kinds[0] = "purposes";
    kinds[1] = "specialPurposes";

    for (k = 0; k < 2; k++) {
        per = json_object_get(r, kinds[k]);

        json_object_foreach(per, key, d) {
            days = json_is_integer(d) ? json_integer_value(d) : -1;

            /* "1" to "32" */
            id = (key[0] >= '1' && key[0] <= '9') ? key[0] - '0' : 0;

            if (id && key[1] != '\0') {
                id = (key[1] >= '0' && key[1] <= '9' && key[2] == '\0')
                     ? id * 10 + (key[1] - '0') : 0;
            }

            if (days < 0 || id < 1 || id > 32) {
                continue;
            }

            consent_tcf_buf_str(b, first ? "" : "; ");
            consent_tcf_ui_name(b, gvl, tr, kinds[k], id);
            consent_tcf_buf_str(b, ": ");
            consent_tcf_buf_fmt(b, w->s[CONSENT_TCF_S_DAYS],
                                (unsigned long) days);
            first = 0;
        }
    }

    consent_tcf_buf_str(b, "</dd>\n");
}


/* "urls": [{"langId": "en", "privacy": ..., "legIntClaim": ...}] */

static void
consent_tcf_ui_urls(consent_tcf_buf_t *b, const consent_tcf_words_t *w,
    const char *lang, json_t *v)
{
    size_t       i, n;
    json_t      *urls, *u, *pick, *en;
    const char  *id, *url;

    urls = json_object_get(v, "urls");
    pick = NULL;
    en = NULL;
    n = lang ? strcspn(lang, "-_") : 0;

    json_array_foreach(urls, i, u) {
        id = consent_tcf_ui_str(u, "langId");

        if (!json_is_object(u)) {
            continue;
        }

        if (id != NULL && n && strncasecmp(id, lang, n) == 0
            && (id[n] == '\0' || id[n] == '-'))
        {
            pick = u;
            break;
        }

        if (en == NULL || (id != NULL && strncasecmp(id, "en", 2) == 0)) {
            en = u;
        }
    }

    if (pick == NULL) {
        pick = en;
    }

    url = consent_tcf_ui_str(pick, "privacy");

    if (url != NULL) {
        consent_tcf_ui_dt(b, w->s[CONSENT_TCF_S_PRIVACY]);
        consent_tcf_ui_url(b, url);
        consent_tcf_buf_str(b, "</dd>\n");
    }

    url = consent_tcf_ui_str(pick, "legIntClaim");

    if (url != NULL) {
        consent_tcf_ui_dt(b, w->s[CONSENT_TCF_S_LI_CLAIM]);
        consent_tcf_ui_url(b, url);
        consent_tcf_buf_str(b, "</dd>\n");
    }
}


static void
consent_tcf_ui_vendor(consent_tcf_buf_t *b, const consent_tcf_gvl_t *gvl,
    const consent_tcf_tr_t *tr, const consent_tcf_words_t *w,
    const char *lang, const consent_tcf_ui_conf_t *uc, unsigned id)
{
    int                          first, checked;
    char                         key[16];
    size_t                       i;
    json_t                      *v, *dd, *e, *age;
    json_int_t                   secs;
    const consent_tcf_t         *tc;
    const consent_tcf_vendor_t  *vd;

    vd = &gvl->vendors[id];
    tc = uc->current;

    snprintf(key, sizeof(key), "%u", id);
    v = json_object_get(json_object_get(gvl->json, "vendors"), key);

    consent_tcf_buf_str(b, "<details class=\"consent-tcf-vendor\" "
                           "data-vendor=\"");
    consent_tcf_buf_num(b, id);
    consent_tcf_buf_str(b, "\"><summary>");
    consent_tcf_buf_esc(b, vd->name);
    consent_tcf_buf_str(b, "</summary>\n");

    /* the choices first, for keyboard and screen reader users */

    if (vd->purposes) {
        checked = tc != NULL && consent_tcf_set_has(&tc->vendor_consents, id);
        consent_tcf_ui_box(b, "tcf_vendor", id, checked,
                           w->s[CONSENT_TCF_S_CONSENT]);
    }

    if (vd->li_purposes || vd->special_purposes) {
        /* kept unless this visitor objected when it was shown */
        checked = tc == NULL || !consent_tcf_set_has(&tc->disclosed, id)
                  || consent_tcf_set_has(&tc->vendor_li, id);
        consent_tcf_ui_box(b, "tcf_vendor_li", id, checked,
                           w->s[CONSENT_TCF_S_LI_LABEL]);
    }

    consent_tcf_buf_str(b, "<dl>\n");

    if (vd->purposes) {
        consent_tcf_ui_dt(b, w->s[CONSENT_TCF_S_V_CONSENT]);
        consent_tcf_ui_names(b, gvl, tr, "purposes", vd->purposes);
        consent_tcf_buf_str(b, "</dd>\n");
    }

    if (vd->li_purposes) {
        consent_tcf_ui_dt(b, w->s[CONSENT_TCF_S_V_LI]);
        consent_tcf_ui_names(b, gvl, tr, "purposes", vd->li_purposes);
        consent_tcf_buf_str(b, "</dd>\n");
    }

    if (vd->special_purposes) {
        consent_tcf_ui_dt(b, w->s[CONSENT_TCF_S_SPECIAL_PURPOSES]);
        consent_tcf_ui_names(b, gvl, tr, "specialPurposes",
                             vd->special_purposes);
        consent_tcf_buf_str(b, "</dd>\n");
    }

    if (vd->features) {
        consent_tcf_ui_dt(b, w->s[CONSENT_TCF_S_FEATURES]);
        consent_tcf_ui_names(b, gvl, tr, "features", vd->features);
        consent_tcf_buf_str(b, "</dd>\n");
    }

    if (vd->special_features) {
        consent_tcf_ui_dt(b, w->s[CONSENT_TCF_S_SPECIAL_FEATURES]);
        consent_tcf_ui_names(b, gvl, tr, "specialFeatures",
                             vd->special_features);
        consent_tcf_buf_str(b, "</dd>\n");
    }

    consent_tcf_ui_retention(b, gvl, tr, w, v);

    dd = json_object_get(v, "dataDeclaration");

    if (json_is_array(dd) && json_array_size(dd) > 0) {
        consent_tcf_ui_dt(b, w->s[CONSENT_TCF_S_DATA]);
        first = 1;

        json_array_foreach(dd, i, e) {
            if (!json_is_integer(e) || json_integer_value(e) < 1
                || json_integer_value(e) > 4095)
            {
                continue;
            }

            consent_tcf_buf_str(b, first ? "" : ", ");
            consent_tcf_ui_name(b, gvl, tr, "dataCategories",
                                (unsigned) json_integer_value(e));
            first = 0;
        }

        consent_tcf_buf_str(b, "</dd>\n");
    }

    age = json_object_get(v, "cookieMaxAgeSeconds");
    secs = json_is_integer(age) ? json_integer_value(age) : -1;

    if (secs >= 0 && json_object_get(v, "usesCookies") != json_false()) {
        consent_tcf_ui_dt(b, w->s[CONSENT_TCF_S_COOKIE_AGE]);

        if (secs >= 86400) {
            consent_tcf_buf_fmt(b, w->s[CONSENT_TCF_S_DAYS],
                                (unsigned long) (secs / 86400));

        } else {
            consent_tcf_buf_fmt(b, w->s[CONSENT_TCF_S_SECONDS],
                                (unsigned long) secs);
        }

        consent_tcf_buf_str(b, "</dd>\n");
    }

    consent_tcf_ui_urls(b, w, lang, v);

    consent_tcf_buf_str(b, "</dl>\n");

    if (json_is_true(json_object_get(v, "usesNonCookieAccess"))) {
        consent_tcf_buf_str(b, "<p>");
        consent_tcf_buf_esc(b, w->s[CONSENT_TCF_S_NON_COOKIE]);
        consent_tcf_buf_str(b, "</p>\n");
    }

    consent_tcf_buf_str(b, "</details>\n");
}


static int
consent_tcf_ui_vendor_cmp(const void *a, const void *b)
{
    const consent_tcf_ui_vendor_t  *x = a, *y = b;
    int                             c;

    c = strcasecmp(x->name, y->name);

    return c ? c : (x->id > y->id) - (x->id < y->id);
}


/*
 * Google's ad technology providers (Additional Consent): the ids of the
 * policy's "tcf" section, by number (Google's list of their names is not
 * among the files the module reads), each with a consent box
 */

static void
consent_tcf_ui_atps(consent_tcf_buf_t *b, const consent_tcf_words_t *w,
    const consent_policy_t *policy, unsigned level)
{
    size_t                    i, j, k, n;
    uint16_t                 *ids;
    const consent_tcf_map_t  *map;

    map = policy->tcf;

    if (map == NULL) {
        return;
    }

    n = 0;

    for (i = 0; i < policy->ncategories; i++) {
        n += map->need[i].natps;
    }

    if (n == 0) {
        return;
    }

    ids = malloc(n * sizeof(uint16_t));

    if (ids == NULL) {
        b->failed = 1;
        return;
    }

    /* each id once, rising */

    n = 0;

    for (i = 0; i < policy->ncategories; i++) {
        for (j = 0; j < map->need[i].natps; j++) {
            for (k = 0; k < n && ids[k] < map->need[i].atps[j]; k++) {
                /* find the place */
            }

            if (k < n && ids[k] == map->need[i].atps[j]) {
                continue;
            }

            memmove(&ids[k + 1], &ids[k], (n - k) * sizeof(uint16_t));
            ids[k] = map->need[i].atps[j];
            n++;
        }
    }

    consent_tcf_ui_heading(b, level, w->s[CONSENT_TCF_S_ATPS], n);
    consent_tcf_buf_str(b, "<div class=\"consent-tcf-atps\">\n");

    for (k = 0; k < n; k++) {
        consent_tcf_buf_str(b, "<label><input type=\"checkbox\" "
                               "name=\"tcf_ac\" value=\"");
        consent_tcf_buf_num(b, ids[k]);
        consent_tcf_buf_str(b, "\"> ");
        consent_tcf_buf_fmt(b, w->s[CONSENT_TCF_S_ATP], ids[k]);
        consent_tcf_buf_str(b, "</label>\n");
    }

    consent_tcf_buf_str(b, "</div>\n");
    free(ids);
}


/* equal buttons, none the default: accepting is no easier */

static void
consent_tcf_ui_buttons(consent_tcf_buf_t *b, const consent_policy_t *policy,
    const char *lang, unsigned withdraw)
{
    consent_tcf_buf_str(b, "<div class=\"consent-buttons\">\n"
                           "<button type=\"submit\" name=\"action\" "
                           "value=\"accept_all\">");
    consent_tcf_buf_esc(b, consent_policy_text(policy,
                                               CONSENT_TEXT_ACCEPT_ALL,
                                               lang));
    consent_tcf_buf_str(b, "</button>\n<button type=\"submit\" "
                           "name=\"action\" value=\"reject_all\">");
    consent_tcf_buf_esc(b, consent_policy_text(policy,
                                               CONSENT_TEXT_REJECT_ALL,
                                               lang));
    consent_tcf_buf_str(b, "</button>\n<button type=\"submit\" "
                           "name=\"action\" value=\"save\">");
    consent_tcf_buf_esc(b, consent_policy_text(policy, CONSENT_TEXT_SAVE,
                                               lang));
    consent_tcf_buf_str(b, "</button>\n");

    if (withdraw) {
        consent_tcf_buf_str(b, "<button type=\"submit\" name=\"action\" "
                               "value=\"withdraw\">");
        consent_tcf_buf_esc(b, consent_policy_text(policy,
                                                   CONSENT_TEXT_WITHDRAW,
                                                   lang));
        consent_tcf_buf_str(b, "</button>\n");
    }

    consent_tcf_buf_str(b, "</div>\n");
}


static void
consent_tcf_ui_form(consent_tcf_buf_t *b, const consent_tcf_gvl_t *gvl,
    const consent_tcf_tr_t *tr, const consent_policy_t *policy,
    const char *lang, const consent_tcf_ui_conf_t *uc)
{
    int                         checked;
    size_t                      i, n;
    uint32_t                    used, li, sf;
    unsigned                    id, ncons, nli, level, vid;
    const consent_tcf_t        *tc;
    consent_tcf_map_t          *map;
    const consent_tcf_words_t  *w;
    consent_tcf_ui_vendor_t    *list;
    const consent_category_t   *c;

    w = consent_tcf_ui_words(lang);
    tc = uc->current;
    map = policy->tcf;
    level = uc->level >= 2 && uc->level <= 4 ? uc->level : 3;

    consent_tcf_ui_used(gvl, &used, &li, &sf);

    if (uc->bare) {
        consent_tcf_buf_str(b, "<div class=\"consent-tcf-second\">\n");

    } else {
        consent_tcf_buf_str(b, "<form method=\"post\" action=\"");
        consent_tcf_buf_escn(b, uc->endpoint, uc->endpoint_len);
        consent_tcf_buf_str(b, "\" class=\"consent-tcf-second\">\n");
    }

    /* the policy's own categories that no TCF signal decides */

    n = 0;

    for (i = 0; i < policy->ncategories; i++) {
        c = &policy->categories[i];

        if (map != NULL && map->need[i].mapped) {
            continue;
        }

        if (n++ == 0) {
            consent_tcf_ui_heading(b, level, w->s[CONSENT_TCF_S_OTHER], 0);
        }

        consent_tcf_buf_str(b, "<div class=\"consent-category\">\n"
                               "<label><input type=\"checkbox\" "
                               "name=\"granted\" value=\"");
        consent_tcf_buf_escn(b, c->id, c->id_len);
        consent_tcf_buf_str(b, c->required ? "\" checked disabled> "
                               : (uc->granted & ((uint32_t) 1 << i))
                               ? "\" checked> " : "\"> ");
        consent_tcf_buf_esc(b, consent_policy_label(policy, i, lang));
        consent_tcf_buf_str(b, "</label>\n<p>");
        consent_tcf_buf_esc(b, consent_policy_description(policy, i, lang));
        consent_tcf_buf_str(b, "</p>\n</div>\n");
    }

    consent_tcf_ui_heading(b, level, w->s[CONSENT_TCF_S_PURPOSES], 0);

    for (id = 1; id <= CONSENT_TCF_PURPOSES; id++) {
        if (!((used | li) & (1u << (id - 1)))) {
            continue;
        }

        ncons = 0;
        nli = 0;

        for (vid = 1; vid <= gvl->max_vendor; vid++) {
            if (gvl->vendors[vid].name != NULL && !gvl->vendors[vid].deleted)
            {
                ncons += !!(gvl->vendors[vid].purposes & (1u << (id - 1)));
                nli += !!(gvl->vendors[vid].li_purposes & (1u << (id - 1)));
            }
        }

        consent_tcf_buf_str(b, "<div class=\"consent-tcf-purpose\">\n");
        consent_tcf_ui_entry(b, gvl, tr, w, "purposes", id, level + 1);

        if (used & (1u << (id - 1))) {
            checked = tc != NULL && (tc->purpose_consents & (1u << (id - 1)));
            consent_tcf_ui_box(b, "tcf_purpose", id, checked,
                               w->s[CONSENT_TCF_S_CONSENT]);
        }

        if ((li & (1u << (id - 1))) && !(CONSENT_TCF_UI_NO_LI
                                         & (1u << (id - 1))))
        {
            checked = tc == NULL || (tc->purpose_li & (1u << (id - 1)));
            consent_tcf_ui_box(b, "tcf_purpose_li", id, checked,
                               w->s[CONSENT_TCF_S_LI_LABEL]);
        }

        consent_tcf_buf_str(b, "<p class=\"consent-tcf-counts\">");
        consent_tcf_buf_fmt(b, w->s[CONSENT_TCF_S_N_CONSENT], ncons);
        consent_tcf_buf_str(b, ". ");
        consent_tcf_buf_fmt(b, w->s[CONSENT_TCF_S_N_LI], nli);
        consent_tcf_buf_str(b, ".</p>\n</div>\n");
    }

    if (sf) {
        consent_tcf_ui_heading(b, level, w->s[CONSENT_TCF_S_SPECIAL_FEATURES],
                               0);

        for (id = 1; id <= CONSENT_TCF_SPECIAL_FEATURES; id++) {
            if (!(sf & (1u << (id - 1)))) {
                continue;
            }

            consent_tcf_buf_str(b, "<div class=\"consent-tcf-purpose\">\n");
            consent_tcf_ui_entry(b, gvl, tr, w, "specialFeatures", id,
                                 level + 1);
            checked = tc != NULL
                      && (tc->special_feature_opt_ins & (1u << (id - 1)));
            consent_tcf_ui_box(b, "tcf_special_feature", id, checked,
                               w->s[CONSENT_TCF_S_OPT_IN]);
            consent_tcf_buf_str(b, "</div>\n");
        }
    }

    if (gvl->special_purposes) {
        consent_tcf_ui_heading(b, level, w->s[CONSENT_TCF_S_SPECIAL_PURPOSES],
                               0);
        consent_tcf_buf_str(b, "<p>");
        consent_tcf_buf_esc(b, w->s[CONSENT_TCF_S_NO_CHOICE]);
        consent_tcf_buf_str(b, "</p>\n");

        for (id = 1; id <= 32; id++) {
            if (gvl->special_purposes & (1u << (id - 1))) {
                consent_tcf_ui_entry(b, gvl, tr, w, "specialPurposes", id,
                                     level + 1);
            }
        }
    }

    if (gvl->features) {
        consent_tcf_ui_heading(b, level, w->s[CONSENT_TCF_S_FEATURES], 0);
        consent_tcf_buf_str(b, "<p>");
        consent_tcf_buf_esc(b, w->s[CONSENT_TCF_S_NO_CHOICE]);
        consent_tcf_buf_str(b, "</p>\n");

        for (id = 1; id <= 32; id++) {
            if (gvl->features & (1u << (id - 1))) {
                consent_tcf_ui_entry(b, gvl, tr, w, "features", id,
                                     level + 1);
            }
        }
    }

    /* Google's ad technology providers the policy names (tcf_ac) */

    consent_tcf_ui_atps(b, w, policy, level);

    /* the vendors by name, as a visitor looks one up */

    consent_tcf_ui_heading(b, level, w->s[CONSENT_TCF_S_VENDORS],
                           gvl->nvendors);

    list = malloc((gvl->nvendors + 1) * sizeof(consent_tcf_ui_vendor_t));

    if (list == NULL) {
        b->failed = 1;
        return;
    }

    n = 0;

    for (vid = 1; vid <= gvl->max_vendor; vid++) {
        if (gvl->vendors[vid].name != NULL && !gvl->vendors[vid].deleted
            && n < gvl->nvendors)
        {
            list[n].name = gvl->vendors[vid].name;
            list[n].id = vid;
            n++;
        }
    }

    qsort(list, n, sizeof(consent_tcf_ui_vendor_t),
          consent_tcf_ui_vendor_cmp);

    consent_tcf_buf_str(b, "<div class=\"consent-tcf-vendors\">\n");

    for (i = 0; i < n; i++) {
        consent_tcf_ui_vendor(b, gvl, tr, w, lang, uc, list[i].id);
    }

    consent_tcf_buf_str(b, "</div>\n");
    free(list);

    /* last: the banner's script focuses the first input of the form */

    if (uc->bare) {
        /* inside the banner's form, whose buttons and "return" serve */
        consent_tcf_buf_str(b, "<input type=\"hidden\" name=\"tcf\" "
                               "value=\"1\">\n</div>\n");
        return;
    }

    consent_tcf_ui_buttons(b, policy, lang, uc->withdraw);

    consent_tcf_buf_str(b, "<input type=\"hidden\" name=\"return\" "
                           "value=\"");
    consent_tcf_buf_escn(b, uc->ret, uc->ret_len);
    consent_tcf_buf_str(b, "\">\n<input type=\"hidden\" name=\"tcf\" "
                           "value=\"1\">\n</form>\n");
}


char *
consent_tcf_ui_second(const consent_tcf_gvl_t *gvl,
    const consent_tcf_tr_t *tr, const consent_policy_t *policy,
    const char *lang, const consent_tcf_ui_conf_t *uc, size_t *len)
{
    consent_tcf_buf_t  b;

    memset(&b, 0, sizeof(consent_tcf_buf_t));
    consent_tcf_ui_form(&b, gvl, tr, policy, lang, uc);

    return consent_tcf_buf_done(&b, len);
}


char *
consent_tcf_ui_page(const consent_tcf_gvl_t *gvl,
    const consent_tcf_tr_t *tr, const consent_policy_t *policy,
    const char *lang, const consent_tcf_ui_conf_t *uc, size_t *len)
{
    consent_tcf_buf_t      b;
    consent_tcf_ui_conf_t  pc;

    memset(&b, 0, sizeof(consent_tcf_buf_t));
    pc = *uc;
    pc.level = 2;

    consent_tcf_buf_str(&b, "<!DOCTYPE html>\n<html lang=\"");
    consent_tcf_buf_esc(&b, lang);
    consent_tcf_buf_str(&b, "\">\n<head>\n<meta charset=\"utf-8\">\n"
                            "<meta name=\"viewport\" "
                            "content=\"width=device-width, "
                            "initial-scale=1\">\n"
                            "<meta name=\"robots\" content=\"noindex\">\n"
                            "<title>");
    consent_tcf_buf_esc(&b, consent_policy_text(policy, CONSENT_TEXT_MANAGE,
                                                lang));
    consent_tcf_buf_str(&b, "</title>\n</head>\n<body>\n"
                            "<main role=\"dialog\" aria-labelledby="
                            "\"consent-title\" data-consent-ui>\n"
                            "<h1 id=\"consent-title\">");
    consent_tcf_buf_esc(&b, consent_policy_text(policy, CONSENT_TEXT_TITLE,
                                                lang));
    consent_tcf_buf_str(&b, "</h1>\n<p>");
    consent_tcf_buf_esc(&b, consent_policy_text(policy, CONSENT_TEXT_MESSAGE,
                                                lang));
    consent_tcf_buf_str(&b, " <a href=\"");
    consent_tcf_buf_esc(&b, policy->privacy_url);
    consent_tcf_buf_str(&b, "\">");
    consent_tcf_buf_esc(&b, consent_policy_text(policy,
                                                CONSENT_TEXT_PRIVACY_LINK,
                                                lang));
    consent_tcf_buf_str(&b, "</a></p>\n");

    consent_tcf_ui_form(&b, gvl, tr, policy, lang, &pc);

    consent_tcf_buf_str(&b, "</main>\n</body>\n</html>\n");

    return consent_tcf_buf_done(&b, len);
}
