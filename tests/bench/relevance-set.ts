// The relevance set: queries on the demo centre's articles as customers and agents phrase them (not
// article titles), each with the articles that answer it (any of them in the top k counts).
// `question`: a customer's or agent's natural question; `keywords`: what an agent types on a call.
// Typos and missing accents are deliberate. Ids are article ids without the `article/` prefix.
// French queries run with the French UI, English ones with the English UI.
import type { Locale } from '../../src/lib/domain/locale';

export interface RelevanceQuery {
	query: string;
	type: 'question' | 'keywords';
	locale: Locale;
	right: string[];
}

type Row = [query: string, ...right: string[]];

const FR_QUESTIONS: Row[] = [
	["je n'arrive pas à me connecter, mon compte est bloqué", 'proc-compte-bloque'],
	["je n'arrive pas a me connecter", 'proc-mot-de-passe-oublie', 'proc-compte-bloque'],
	[
		"j'ai oublié mon mot de passe comment je fais",
		'proc-mot-de-passe-oublie',
		'rep-lien-reinitialisation-envoye'
	],
	[
		'le lien pour changer mon mot de passe ne marche pas',
		'proc-mot-de-passe-oublie',
		'rep-lien-reinitialisation-envoye'
	],
	['pourquoi mon accès est suspendu ?', 'proc-compte-bloque'],
	["j'ai tapé trop de fois le mauvais code et maintenant c'est bloqué", 'proc-compte-bloque'],
	['je ne reçois pas le code par sms pour me connecter', 'faq-code-double-authentification'],
	["le code de validation n'arrive pas sur mon téléphone", 'faq-code-double-authentification'],
	[
		"j'ai changé de téléphone, comment je valide mes opérations ?",
		'proc-changement-telephone-double-authentification'
	],
	[
		'j ai perdu mon portable, je ne peux plus valider avec la clé sécurisée',
		'proc-changement-telephone-double-authentification'
	],
	['combien de temps met un virement pour arriver sur mon compte bancaire', 'faq-delai-virement-sortant'],
	["quand vais-je recevoir l'argent que j'ai retiré ?", 'faq-delai-virement-sortant'],
	['mon virement a été refusé, pourquoi ?', 'proc-virement-refuse', 'rep-virement-refuse'],
	["je n'arrive pas à faire un virement vers ma banque", 'proc-virement-refuse', 'rep-virement-refuse'],
	[
		"j'ai fait un virement il y a trois jours et je ne vois toujours pas l'argent sur mon compte",
		'proc-virement-entrant-non-credite'
	],
	['mon versement n apparait pas sur mon compte', 'proc-virement-entrant-non-credite'],
	["est-ce qu'il y a des frais de tenue de compte ?", 'faq-frais-tenue-compte'],
	["combien ça coute d'acheter des actions ?", 'ref-grille-frais-courtage'],
	['quels sont les frais pour un ordre sur le Nasdaq', 'faq-ordres-nasdaq', 'ref-grille-frais-courtage'],
	[
		"où je trouve mon IFU pour ma déclaration d'impôts ?",
		'faq-obtenir-ifu',
		'proc-ifu-introuvable',
		'rep-ifu-disponible'
	],
	['je ne trouve pas mon imprimé fiscal dans mon espace', 'proc-ifu-introuvable', 'faq-obtenir-ifu'],
	[
		"quand est-ce que l'IFU est disponible ?",
		'faq-obtenir-ifu',
		'rep-ifu-disponible',
		'ref-pfu-calendrier-ifu'
	],
	['pourquoi mon ordre ne passe pas ?', 'faq-ordre-non-execute', 'proc-ordre-non-execute'],
	['mon ordre est toujours en attente depuis ce matin', 'proc-ordre-non-execute', 'faq-ordre-non-execute'],
	['pourquoi mon ordre a été rejeté ?', 'proc-ordre-rejete', 'rep-ordre-rejete-provision'],
	[
		"mon ordre d'achat est refusé pour provision insuffisante",
		'rep-ordre-rejete-provision',
		'proc-ordre-rejete'
	],
	['est-ce que je peux acheter des actions américaines ?', 'faq-ordres-nasdaq'],
	['à quelle heure ouvre la bourse américaine', 'faq-ordres-nasdaq'],
	['combien je peux verser au maximum sur mon PEA ?', 'faq-plafond-versement-pea', 'ref-regles-pea'],
	[
		"que se passe-t-il si je retire de l'argent de mon PEA avant 5 ans",
		'proc-retrait-pea-avant-5-ans',
		'ref-regles-pea'
	],
	['est-ce que je perds mon PEA si je fais un retrait ?', 'proc-retrait-pea-avant-5-ans', 'ref-regles-pea'],
	["l'application se ferme toute seule quand je l'ouvre", 'proc-application-se-ferme'],
	["l'appli plante au démarrage", 'proc-application-se-ferme'],
	[
		"l'application ne marche plus, il y a une panne ?",
		'rep-incident-application',
		'proc-application-se-ferme'
	],
	['comment changer mon adresse postale ?', 'proc-changement-adresse'],
	['je déménage, que dois-je faire ?', 'proc-changement-adresse'],
	["je pars vivre à l'étranger, ça change quoi pour mon compte", 'proc-changement-adresse'],
	['comment modifier le compte bancaire sur lequel je reçois mes retraits', 'proc-changement-rib'],
	["j'ai changé de banque, comment mettre mon nouveau RIB ?", 'proc-changement-rib'],
	['je veux fermer mon compte', 'proc-cloture-compte', 'rep-cloture-compte-confirmee'],
	['comment résilier mon compte titres', 'proc-cloture-compte'],
	['les cours ne bougent plus sur le site', 'proc-cotations-figees'],
	['pourquoi les cotations sont bloquées ?', 'proc-cotations-figees'],
	[
		'mon père est décédé, que faut-il faire pour ses comptes ?',
		'proc-declaration-deces',
		'rep-condoleances-succession'
	],
	['quels documents fournir pour une succession', 'rep-condoleances-succession', 'proc-declaration-deces'],
	["je ne reçois plus les notifications de l'application", 'proc-notifications-non-recues'],
	["je n'ai plus les alertes par mail quand un ordre est exécuté", 'proc-notifications-non-recues'],
	[
		"pourquoi ma pièce d'identité a été refusée ?",
		'proc-pieces-justificatives-refusees',
		'rep-pieces-manquantes'
	],
	['mon ouverture de compte est bloquée', 'proc-pieces-justificatives-refusees'],
	[
		"il manque quoi dans mon dossier d'ouverture ?",
		'rep-pieces-manquantes',
		'proc-pieces-justificatives-refusees'
	],
	['je veux faire une réclamation', 'proc-reclamation-ecrite', 'ref-traitement-reclamations'],
	[
		"je ne suis pas content du service, à qui je m'adresse ?",
		'proc-reclamation-ecrite',
		'ref-traitement-reclamations'
	],
	[
		'quel est le délai de réponse à une réclamation ?',
		'ref-traitement-reclamations',
		'rep-accuse-reception-reclamation',
		'proc-reclamation-ecrite'
	],
	[
		"j'ai reçu un mail bizarre de la banque qui me demande mes codes",
		'proc-suspicion-hameconnage',
		'rep-alerte-hameconnage'
	],
	["un faux conseiller m'a appelé", 'proc-suspicion-hameconnage'],
	["j'ai cliqué sur un lien dans un sms suspect", 'proc-suspicion-hameconnage', 'rep-alerte-hameconnage'],
	['où en est le transfert de mon PEA ?', 'proc-transfert-pea-entrant', 'rep-transfert-pea-en-cours'],
	['je ne vois pas mes titres après le transfert de mon PEA', 'proc-transfert-pea-entrant'],
	["comment fonctionne l'assurance vie ?", 'ref-assurance-vie-essentiel'],
	["puis-je retirer de l'argent de mon assurance vie", 'ref-assurance-vie-essentiel'],
	['pourquoi on me demande de vérifier mon identité ?', 'ref-controle-identite'],
	["quelles questions poser pour vérifier l'identité du client", 'ref-controle-identite'],
	['comment annoncer une mauvaise nouvelle à un client', 'ref-guide-ton-style'],
	['faut-il vouvoyer le client par écrit ?', 'ref-guide-ton-style'],
	["c'est quoi la flat tax", 'ref-pfu-calendrier-ifu'],
	["combien d'impot je paie sur mes plus-values", 'ref-pfu-calendrier-ifu'],
	['qui peut ouvrir un PEA ?', 'ref-regles-pea'],
	["c'est quoi le SRD ?", 'ref-srd'],
	['comment vendre à découvert', 'ref-srd'],
	['quelle est la différence entre un ordre à cours limité et au marché', 'ref-types-ordres'],
	['comment fonctionne un ordre stop', 'ref-types-ordres'],
	['mon dividende a-t-il été versé ?', 'rep-dividende-verse'],
	['pourquoi le dividende net est plus faible que le brut', 'rep-dividende-verse'],
	[
		"j'ai pas reçu l'email pour réinitialiser mon mdp",
		'rep-lien-reinitialisation-envoye',
		'proc-mot-de-passe-oublie'
	]
];

const EN_QUESTIONS: Row[] = [
	["I can't log in to my account, it says locked", 'proc-compte-bloque-en'],
	['my access is temporarily suspended, what do I do', 'proc-compte-bloque-en'],
	['I forgot my password', 'proc-mot-de-passe-oublie-en'],
	["I didn't get the reset link for my password", 'proc-mot-de-passe-oublie-en'],
	['how long does it take to get my money back to my bank', 'faq-delai-virement-sortant-en'],
	['when will my withdrawal arrive?', 'faq-delai-virement-sortant-en'],
	['why was my transfer rejected?', 'proc-virement-refuse-en'],
	["I can't send money to my bank account", 'proc-virement-refuse-en'],
	['can I buy US stocks?', 'faq-ordres-nasdaq-en'],
	['what time can I trade on the nasdaq', 'faq-ordres-nasdaq-en'],
	['do I need the W8BEN form for american shares', 'faq-ordres-nasdaq-en'],
	['the app crashes as soon as I open it', 'proc-application-se-ferme-en'],
	['the mobile app keeps closing on my iphone', 'proc-application-se-ferme-en'],
	['why was my order rejected?', 'proc-ordre-rejete-en', 'rep-ordre-rejete-provision-en'],
	[
		'my buy order was refused, not enough money on the account',
		'rep-ordre-rejete-provision-en',
		'proc-ordre-rejete-en'
	],
	['I got an email asking for my login details, is it really you?', 'proc-suspicion-hameconnage-en'],
	['someone called pretending to be my advisor', 'proc-suspicion-hameconnage-en'],
	["what's the difference between a limit order and a market order", 'ref-types-ordres-en'],
	['how does a stop loss order work', 'ref-types-ordres-en'],
	['how should I word bad news to a customer', 'ref-guide-ton-style-en'],
	['my mother passed away, what documents do you need', 'rep-condoleances-succession-en'],
	['what happens to the account of a deceased customer', 'rep-condoleances-succession-en'],
	['I typed the wrong password too many times', 'proc-compte-bloque-en'],
	['how many days for an outgoing transfer', 'faq-delai-virement-sortant-en'],
	['why is my order refused because of the price limit', 'proc-ordre-rejete-en'],
	['can I place an order outside trading hours on US markets', 'faq-ordres-nasdaq-en'],
	["the app won't start after the update", 'proc-application-se-ferme-en'],
	['how do I reset my password?', 'proc-mot-de-passe-oublie-en'],
	['is this text message from my bank a scam?', 'proc-suspicion-hameconnage-en'],
	['the money came back to my cash account after a transfer', 'proc-virement-refuse-en'],
	["what's the tone to use when writing to clients", 'ref-guide-ton-style-en'],
	['how long is an order valid', 'ref-types-ordres-en'],
	['my account got locked, how do I unlock it', 'proc-compte-bloque-en']
];

const FR_KEYWORDS: Row[] = [
	['compte bloqué', 'proc-compte-bloque'],
	['compte bloque tentatives', 'proc-compte-bloque'],
	['BLQ-SEC', 'proc-compte-bloque'],
	['deblocage acces', 'proc-compte-bloque'],
	['mdp oublié', 'proc-mot-de-passe-oublie', 'rep-lien-reinitialisation-envoye'],
	['mot de pase oublie', 'proc-mot-de-passe-oublie'],
	['reinitialisation mdp', 'rep-lien-reinitialisation-envoye', 'proc-mot-de-passe-oublie'],
	['code sms non recu', 'faq-code-double-authentification'],
	['2FA', 'proc-changement-telephone-double-authentification', 'faq-code-double-authentification'],
	['double authentification nouveau telephone', 'proc-changement-telephone-double-authentification'],
	['clé sécurisée perdue', 'proc-changement-telephone-double-authentification'],
	['délai virement sortant', 'faq-delai-virement-sortant'],
	['virement refusé', 'proc-virement-refuse', 'rep-virement-refuse'],
	['virement refuse motif', 'proc-virement-refuse', 'rep-virement-refuse'],
	['virment rejeté', 'proc-virement-refuse', 'rep-virement-refuse'],
	['virement entrant non crédité', 'proc-virement-entrant-non-credite'],
	['virement instantané pas arrivé', 'proc-virement-entrant-non-credite'],
	['frais tenue de compte', 'faq-frais-tenue-compte'],
	['droits de garde', 'faq-frais-tenue-compte', 'ref-grille-frais-courtage'],
	['frais courtage euronext', 'ref-grille-frais-courtage'],
	['tarif ordre etranger', 'ref-grille-frais-courtage', 'faq-ordres-nasdaq'],
	['TTF', 'ref-grille-frais-courtage'],
	['IFU introuvable', 'proc-ifu-introuvable'],
	['ifu', 'faq-obtenir-ifu', 'proc-ifu-introuvable', 'rep-ifu-disponible'],
	['imprime fiscal unique', 'proc-ifu-introuvable', 'faq-obtenir-ifu', 'rep-ifu-disponible'],
	['ordre non executé', 'proc-ordre-non-execute', 'faq-ordre-non-execute'],
	['ordre partiellement exécuté', 'proc-ordre-non-execute', 'faq-ordre-non-execute'],
	['ordre rejeté', 'proc-ordre-rejete', 'rep-ordre-rejete-provision'],
	['code rejet SEUIL', 'proc-ordre-rejete'],
	['provision insuffisante', 'rep-ordre-rejete-provision', 'proc-ordre-rejete'],
	['nasdaq horaires', 'faq-ordres-nasdaq'],
	['W-8BEN', 'faq-ordres-nasdaq'],
	['plafond PEA', 'faq-plafond-versement-pea', 'ref-regles-pea'],
	['PEA-PME plafond', 'faq-plafond-versement-pea', 'ref-regles-pea'],
	['retrait PEA moins de 5 ans', 'proc-retrait-pea-avant-5-ans'],
	['cloture pea retrait', 'proc-retrait-pea-avant-5-ans'],
	['appli plante', 'proc-application-se-ferme'],
	['application crash ios', 'proc-application-se-ferme'],
	['incident appli', 'rep-incident-application'],
	['changement adresse', 'proc-changement-adresse'],
	[
		'justificatif de domicile',
		'proc-changement-adresse',
		'rep-pieces-manquantes',
		'proc-pieces-justificatives-refusees'
	],
	['NPAI', 'proc-changement-adresse'],
	['changement RIB', 'proc-changement-rib'],
	['modif iban', 'proc-changement-rib'],
	['cloture compte', 'proc-cloture-compte', 'rep-cloture-compte-confirmee'],
	['fermeture compte titres', 'proc-cloture-compte'],
	['cotations figées', 'proc-cotations-figees'],
	['cours pas a jour', 'proc-cotations-figees'],
	['décès client', 'proc-declaration-deces', 'rep-condoleances-succession'],
	['succession notaire', 'rep-condoleances-succession', 'proc-declaration-deces'],
	['notifications push', 'proc-notifications-non-recues'],
	['alertes non recues', 'proc-notifications-non-recues'],
	['pieces justificatives refusées', 'proc-pieces-justificatives-refusees', 'rep-pieces-manquantes'],
	['KYC', 'proc-pieces-justificatives-refusees'],
	['reclamation', 'proc-reclamation-ecrite', 'ref-traitement-reclamations'],
	['mediateur', 'ref-traitement-reclamations', 'proc-reclamation-ecrite'],
	['accusé reception réclamation', 'rep-accuse-reception-reclamation'],
	['hameconnage', 'proc-suspicion-hameconnage', 'rep-alerte-hameconnage'],
	['phishing', 'proc-suspicion-hameconnage', 'rep-alerte-hameconnage'],
	['faux conseiller', 'proc-suspicion-hameconnage'],
	['transfert PEA entrant', 'proc-transfert-pea-entrant', 'rep-transfert-pea-en-cours'],
	['transfert pea en cours', 'rep-transfert-pea-en-cours', 'proc-transfert-pea-entrant'],
	['assurance vie rachat', 'ref-assurance-vie-essentiel'],
	['clause beneficiaire', 'ref-assurance-vie-essentiel'],
	['controle identité niveau 2', 'ref-controle-identite'],
	['usurpation identite', 'ref-controle-identite'],
	['vouvoiement', 'ref-guide-ton-style'],
	['PFU', 'ref-pfu-calendrier-ifu'],
	['prelevements sociaux', 'ref-pfu-calendrier-ifu', 'rep-dividende-verse'],
	['regles PEA', 'ref-regles-pea'],
	['SRD', 'ref-srd'],
	['effet de levier', 'ref-srd'],
	['ordre à seuil de declenchement', 'ref-types-ordres'],
	['cours limité', 'ref-types-ordres', 'faq-ordre-non-execute', 'proc-ordre-non-execute'],
	['dividende', 'rep-dividende-verse'],
	['dividende net brut', 'rep-dividende-verse']
];

const EN_KEYWORDS: Row[] = [
	['locked account', 'proc-compte-bloque-en'],
	['acount lock', 'proc-compte-bloque-en'],
	['forgotten password', 'proc-mot-de-passe-oublie-en'],
	['pasword reset', 'proc-mot-de-passe-oublie-en'],
	['outgoing transfer delay', 'faq-delai-virement-sortant-en'],
	['transfer processing time', 'faq-delai-virement-sortant-en'],
	['rejected transfer', 'proc-virement-refuse-en'],
	['transfer refused bank details', 'proc-virement-refuse-en'],
	['nasdaq', 'faq-ordres-nasdaq-en'],
	['us stocks trading hours', 'faq-ordres-nasdaq-en'],
	['W8BEN', 'faq-ordres-nasdaq-en'],
	['app crash', 'proc-application-se-ferme-en'],
	['mobile app closes', 'proc-application-se-ferme-en'],
	['rejected order', 'proc-ordre-rejete-en', 'rep-ordre-rejete-provision-en'],
	['insufficient funds', 'rep-ordre-rejete-provision-en', 'proc-ordre-rejete-en'],
	['price collars', 'proc-ordre-rejete-en'],
	['phishing', 'proc-suspicion-hameconnage-en'],
	['fake adviser', 'proc-suspicion-hameconnage-en'],
	['fraudulent sms', 'proc-suspicion-hameconnage-en'],
	['limit order', 'ref-types-ordres-en'],
	['stop limit order', 'ref-types-ordres-en'],
	['market order vs limit', 'ref-types-ordres-en'],
	['tone guide', 'ref-guide-ton-style-en'],
	['bad news wording', 'ref-guide-ton-style-en'],
	['condolences estate', 'rep-condoleances-succession-en'],
	['death certificate', 'rep-condoleances-succession-en'],
	['notary documents', 'rep-condoleances-succession-en'],
	['login failed attempts', 'proc-compte-bloque-en'],
	['reset link', 'proc-mot-de-passe-oublie-en'],
	['ios android app update', 'proc-application-se-ferme-en'],
	['buy order cash balance', 'rep-ordre-rejete-provision-en'],
	['order validity', 'ref-types-ordres-en'],
	['transfer withdrawal business days', 'faq-delai-virement-sortant-en']
];

const rows = (list: Row[], type: RelevanceQuery['type'], locale: Locale): RelevanceQuery[] =>
	list.map(([query, ...right]) => ({ query, type, locale, right }));

export const RELEVANCE_SET: readonly RelevanceQuery[] = [
	...rows(FR_QUESTIONS, 'question', 'fr'),
	...rows(EN_QUESTIONS, 'question', 'en'),
	...rows(FR_KEYWORDS, 'keywords', 'fr'),
	...rows(EN_KEYWORDS, 'keywords', 'en')
];
