/**
 * The top attack phrases in German, French, Spanish, Italian, Portuguese, Russian, Chinese and
 * Japanese. Written with their accents; `re` folds them like the text (é → e, й → и).
 * Like the English rules, an override needs a qualifier ("previous", "all", "your") to be strong.
 */
import { rules, type Rule } from './injection-rule.ts';

const graded = (strong: RegExp) => (m: RegExpExecArray) => (strong.test(m[0]) ? 0.85 : 0.35);

const OVERRIDE: Rule[] = rules('IGNORE_INSTRUCTIONS', 'phrase', [
  // German
  [`⟨(?:ignoriere|ignorieren sie|ignoriert|vergiss|vergessen sie|vergesst|missachte|missachten sie|überspringe)(?:\\s+[\\p{L}-]+){0,3}?\\s+(?:anweisungen|instruktionen|befehle|regeln|vorgaben|richtlinien|anordnungen|systemanweisungen)⟩`, graded(/alle|vorherig|bisherig|vorig|obig|früher|fruher|vorangegangen|deine|ihre|vorhergehend|ursprünglich|ursprunglich/)],
  [`⟨(?:vergiss|vergessen sie)\\s+alles⟩`, 0.6],
  // French
  [`⟨(?:ignore|ignorez|ignorer|oublie|oubliez|oublier|néglige|négligez|ne tiens pas compte|ne tenez pas compte|fais abstraction|faites abstraction)(?:\\s+(?:de|des|du|d'))?(?:\\s+[\\p{L}'-]+){0,3}?\\s+(?:instructions|consignes|règles|directives|ordres|commandes)(?:\\s+[\\p{L}-]+)?⟩`, graded(/toutes|tes|vos|précédent|precedent|antérieur|anterieur|ci-dessus|d'avant|initial|du système|du systeme/)],
  [`⟨(?:oublie|oubliez)\\s+tout⟩`, 0.55],
  // Spanish
  [`⟨(?:ignora|ignore|ignorar|ignoren|olvida|olvide|olvidar|olviden|omite|omita|descarta|haz caso omiso de|no sigas)(?:\\s+[\\p{L}-]+){0,3}?\\s+(?:instrucciones|indicaciones|reglas|órdenes|directrices|normas|comandos)(?:\\s+[\\p{L}-]+)?⟩`, graded(/todas|tus|sus|anterior|previa|de arriba|inicial|original|del sistema/)],
  [`⟨(?:olvida|olvide)\\s+todo⟩`, 0.55],
  // Italian, Portuguese
  [`⟨(?:ignora|ignorate|dimentica|dimenticate)(?:\\s+[\\p{L}-]+){0,3}?\\s+(?:istruzioni|regole|indicazioni|direttive)(?:\\s+[\\p{L}-]+)?⟩`, graded(/tutte|precedenti|sopra|tue|originali/)],
  [`⟨(?:ignore|ignora|esqueça|esqueca|desconsidere)(?:\\s+[\\p{L}-]+){0,3}?\\s+(?:instruções|instrucoes|regras|orientações|diretrizes)(?:\\s+[\\p{L}-]+)?⟩`, graded(/todas|anteriores|acima|suas|originais/)],
  // Russian
  [`⟨(?:игнорируй|игнорируйте|проигнорируй|проигнорируйте|забудь|забудьте|не обращай внимания на|не обращайте внимания на|отбрось)(?:\\s+[\\p{L}-]+){0,3}?\\s+(?:инструкции|инструкциям|указания|правила|команды|установки)⟩`, graded(/все|bce|предыдущ|прошл|прежн|сво|тво|ваш|вышеуказ|системн/)],
  // Chinese, Japanese
  [`(?:忽略|无视|忽视|不要理会|忘记|忘掉|忽略掉)(?:之前|以前|先前|上面|上述|前面|所有|全部|你的|的|一切|此前){0,4}(?:的)?(?:所有|全部)?(?:指令|指示|说明|规则|提示|命令|设定)`, 0.85],
  [`(?:以前|前|上記|これまで|すべて)の(?:指示|命令|指令|ルール)を(?:すべて|全て)?(?:無視|忘れ)`, 0.85],
]);

const ROLE_STRONG = /dan|uneingeschränkt|uneingeschrankt|ohne (?:regeln|einschränkungen|einschrankungen|filter)|böse|bose|jailbreak|sans (?:restrictions|règles|regles|filtre)|sin (?:restricciones|reglas|filtros)|libre|frei|без ограничении/;
/** A new role for an AI (so "du bist jetzt bereit", "vous êtes maintenant prêt" do not count). */
const ROLE_NOUN = /(?<![\p{L}])(?:ki|ia|ai|assistent|assistant|asistente|assistente|chatbot|bot|modell|modele|modelo|modello|charakter|personnage|personaje|persona|hacker|dan|роль|бот|ассистент|ии)(?![\p{L}])/u;
const role = (m: RegExpExecArray) => (ROLE_STRONG.test(m[0]) ? 0.85 : ROLE_NOUN.test(m[0]) ? 0.55 : 0);

const ROLE: Rule[] = rules('ROLE_HIJACK', 'phrase', [
  [`⟨du bist (?:jetzt|nun|ab sofort|ab jetzt)(?:\\s+[\\p{L}-]+){1,3}`, role],
  [`⟨ab (?:jetzt|sofort) (?:bist du|wirst du|musst du|antwortest du)⟩`, 0.45],
  [`⟨(?:tu es|vous êtes|vous etes) (?:maintenant|désormais|desormais|à présent|a present)(?:\\s+[\\p{L}'-]+){1,3}`, role],
  [`⟨à partir de maintenant,? (?:tu|vous)⟩`, 0.4],
  [`⟨(?:ahora eres|ahora serás|ahora seras|a partir de ahora,? (?:eres|serás|seras|vas a))(?:\\s+[\\p{L}-]+){1,3}`, role],
  [`⟨(?:ты теперь|теперь ты|вы теперь)(?:\\s+[\\p{L}-]+){1,3}`, role],
  [`(?:你现在是|从现在开始你是|从现在起你是|从现在起,你|从现在开始,你)`, 0.5],
  [`(?:開発者モード|开发者模式|越狱模式)`, 0.6],
]);

const SYSTEM: Rule[] = rules('SYSTEM_PROMPT', 'phrase', [
  [`⟨(?:zeige|zeig|gib|nenne|verrate|wiederhole|drucke)(?:\\s+mir)?\\s+(?:deinen|deine|dein|ihren|ihre)\\s+(?:system-?prompt|systemanweisungen|anweisungen|ursprünglichen anweisungen|ursprunglichen anweisungen|systemnachricht|initialen prompt|prompt)⟩`, 0.75],
  [`⟨(?:révèle|revele|révélez|revelez|affiche|affichez|montre|montrez|donne|donnez|répète|repete|répétez|repetez|écris|ecris|écrivez|ecrivez)(?:-moi|\\s+moi)?\\s+(?:ton|ta|tes|votre|vos)\\s+(?:prompt|invite|instructions|consignes|message)(?:\\s+(?:système|systeme|initial|initiales|d'origine|originales|cachées|cachees))?⟩`, 0.75],
  [`⟨(?:revela|muestra|muéstrame|muestrame|dime|imprime|repite|escribe)(?:me)?\\s+(?:tu|tus|su|sus)\\s+(?:prompt|mensaje|instrucciones)(?:\\s+(?:del sistema|de sistema|iniciales|originales|ocultas))?⟩`, 0.75],
  [`⟨(?:покажи|покажите|выведи|выведите|раскрой|повтори|напиши)\\s+(?:свой|свои|твой|твои|ваш|ваши)\\s+(?:системный промпт|системные инструкции|инструкции|промпт)⟩`, 0.75],
  [`(?:显示|输出|告诉我|打印|重复|泄露)(?:你的)?(?:系统提示词|系统提示|初始指令|系统指令|系统消息)`, 0.75],
  [`システムプロンプトを(?:表示|教えて|出力|見せて)`, 0.75],
]);

const CONCEAL: Rule[] = rules('CONCEALMENT', 'phrase', [
  [`⟨(?:sag|sage|sagen sie|erzähl|erzahl)\\s+(?:es\\s+|das\\s+)?(?:dem|den)\\s+(?:benutzer|nutzer|anwender)n?\\s+nicht⟩`, 0.5],
  [`⟨ohne\\s+(?:den|die)\\s+(?:benutzer|nutzer|anwender)(?:in)?\\s+zu\\s+(?:informieren|benachrichtigen|warnen)⟩`, 0.5],
  [`⟨ne\\s+(?:le\\s+|rien\\s+)?(?:dis|dites)\\s+(?:rien\\s+)?(?:à|a)\\s+l'utilisateur⟩`, 0.5],
  [`⟨sans\\s+(?:en\\s+)?(?:informer|prévenir|prevenir|avertir)\\s+l'utilisateur⟩`, 0.5],
  [`⟨no\\s+(?:le\\s+)?(?:digas|informes|menciones|avises)\\s+(?:nada\\s+)?al\\s+usuario⟩`, 0.5],
  [`⟨sin\\s+(?:informar|avisar|decirle|notificar)\\s+al\\s+usuario⟩`, 0.5],
  [`⟨не\\s+(?:говори|сообщай|рассказывай)\\s+(?:об этом\\s+)?пользователю⟩`, 0.5],
  [`不要(?:告诉|通知|提醒)用户`, 0.5],
]);

/** Multilingual rules (every signal they raise also has English rules). */
export const I18N_RULES: readonly Rule[] = [...OVERRIDE, ...ROLE, ...SYSTEM, ...CONCEAL];
