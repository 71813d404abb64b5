import { primaryLanguage } from '@shared/languages';

// What the simulator's voice agent and customer say, per language, so calls placed in Hindi, Tamil or Bengali come
// back with transcripts in that language (and search, hand-offs and fonts can be tried without a real provider).
// Languages without a phrasebook are spoken in English. Summaries stay in English: they are for the console's user.

export type SpokenScenario =
  'confirmed' | 'rescheduled' | 'not_interested' | 'callback_requested' | 'cancelled' | 'wrong_person' | 'none';

export interface SpeechContext {
  /** First name, or a word for "there". */
  name: string;
  fullName: string;
  company: string | undefined;
  orderId: string | undefined;
  amount: string | undefined;
  product: string | undefined;
  day: string;
  time: string;
}

type Line = (c: SpeechContext) => string;

export interface Phrasebook {
  /** The language's primary subtag, `en` for the default. */
  language: string;
  greeting: Line;
  wrongPerson: [customer: Line, agent: Line];
  speaking: Line;
  ask: Line;
  replies: Record<Exclude<SpokenScenario, 'wrong_person'>, [customer: Line, agent: Line]>;
}

const englishSubject = (c: SpeechContext): string =>
  c.orderId
    ? `your order ${c.orderId}${c.product ? ` (${c.product})` : ''}${c.amount ? ` of ${c.amount}` : ''}`
    : c.product
      ? `your ${c.product}`
      : 'your recent request';

export const ENGLISH: Phrasebook = {
  language: 'en',
  greeting: (c) =>
    `Hello, this is the assistant calling from ${c.company ?? 'the support team'}. Am I speaking with ${c.fullName || 'the account holder'}?`,
  wrongPerson: [
    (c) => `No, sorry, there's no ${c.name} here. I think you have the wrong number.`,
    () => 'I apologise for the trouble. Have a good day.',
  ],
  speaking: () => 'Yes, speaking.',
  ask: (c) => `Thank you, ${c.name}. I'm calling about ${englishSubject(c)}. Can you confirm you'd like to go ahead?`,
  replies: {
    confirmed: [() => 'Yes, please go ahead.', (c) => `Great, it's confirmed. Thank you, ${c.name}!`],
    rescheduled: [
      (c) => `Not this week. Could you make it ${c.day} around ${c.time}?`,
      (c) => `Of course. I've moved it to ${c.day} at ${c.time}.`,
    ],
    not_interested: [() => "No, I'm not interested, thanks.", () => 'Understood. Sorry for the interruption.'],
    callback_requested: [
      (c) => `I'm busy right now. Can you call me back on ${c.day} after ${c.time}?`,
      (c) => `Sure, we'll call you back on ${c.day} after ${c.time}.`,
    ],
    cancelled: [() => 'Actually, please cancel it. I changed my mind.', () => "All right, I've cancelled it for you."],
    none: [() => "Hmm, I'm not sure. Let me think about it.", () => 'No problem. Thank you for your time.'],
  },
};

const HINDI: Phrasebook = {
  language: 'hi',
  greeting: (c) =>
    `नमस्ते, मैं ${c.company ?? 'सहायता टीम'} की ओर से बोल रही हूँ। क्या मेरी बात ${c.fullName || 'खाताधारक'} से हो रही है?`,
  wrongPerson: [
    (c) => `नहीं, यहाँ कोई ${c.name} नहीं है। आपने गलत नंबर लगाया है।`,
    () => 'परेशानी के लिए माफ़ी चाहती हूँ। आपका दिन शुभ हो।',
  ],
  speaking: () => 'हाँ, बोल रहा हूँ।',
  ask: (c) =>
    `धन्यवाद, ${c.name} जी। मैं ${c.orderId ? `आपके ऑर्डर ${c.orderId}` : 'आपके हाल के अनुरोध'} के बारे में फ़ोन कर रही हूँ। क्या आप इसकी पुष्टि करेंगे?`,
  replies: {
    confirmed: [() => 'हाँ, कृपया आगे बढ़िए।', (c) => `बहुत बढ़िया, पुष्टि हो गई है। धन्यवाद, ${c.name} जी!`],
    rescheduled: [
      (c) => `इस हफ़्ते नहीं। क्या आप इसे ${c.day} को ${c.time} बजे कर सकते हैं?`,
      (c) => `ज़रूर। मैंने इसे ${c.day} को ${c.time} बजे कर दिया है।`,
    ],
    not_interested: [() => 'नहीं, मुझे इसमें रुचि नहीं है, धन्यवाद।', () => 'समझ गई। परेशान करने के लिए माफ़ी।'],
    callback_requested: [
      (c) => `मैं अभी व्यस्त हूँ। क्या आप ${c.day} को ${c.time} के बाद फ़ोन कर सकते हैं?`,
      (c) => `ज़रूर, हम ${c.day} को ${c.time} के बाद फ़ोन करेंगे।`,
    ],
    cancelled: [() => 'दरअसल, कृपया इसे रद्द कर दीजिए। मेरा मन बदल गया है।', () => 'ठीक है, मैंने इसे रद्द कर दिया है।'],
    none: [() => 'पता नहीं, मुझे सोचने दीजिए।', () => 'कोई बात नहीं। आपके समय के लिए धन्यवाद।'],
  },
};

const TAMIL: Phrasebook = {
  language: 'ta',
  greeting: (c) =>
    `வணக்கம், நான் ${c.company ?? 'உதவிக் குழு'} சார்பாக பேசுகிறேன். ${c.fullName || 'கணக்கு வைத்திருப்பவர்'} அவர்களிடம் பேசுகிறேனா?`,
  wrongPerson: [(c) => `இல்லை, இங்கே ${c.name} என்று யாரும் இல்லை. தவறான எண்.`, () => 'சிரமத்திற்கு மன்னிக்கவும். நல்ல நாள்.'],
  speaking: () => 'ஆமாம், பேசுகிறேன்.',
  ask: (c) =>
    `நன்றி, ${c.name}. ${c.orderId ? `உங்கள் ஆர்டர் ${c.orderId}` : 'உங்கள் சமீபத்திய கோரிக்கை'} பற்றி அழைக்கிறேன். உறுதி செய்வீர்களா?`,
  replies: {
    confirmed: [() => 'ஆமாம், தொடருங்கள்.', (c) => `நல்லது, உறுதி செய்யப்பட்டது. நன்றி, ${c.name}!`],
    rescheduled: [
      (c) => `இந்த வாரம் வேண்டாம். ${c.day} அன்று ${c.time} மணிக்கு மாற்ற முடியுமா?`,
      (c) => `நிச்சயமாக. ${c.day} அன்று ${c.time} மணிக்கு மாற்றிவிட்டேன்.`,
    ],
    not_interested: [() => 'இல்லை, எனக்கு விருப்பம் இல்லை, நன்றி.', () => 'புரிகிறது. தொந்தரவுக்கு மன்னிக்கவும்.'],
    callback_requested: [
      (c) => `இப்போது நான் வேலையாக இருக்கிறேன். ${c.day} அன்று ${c.time} மணிக்கு பிறகு அழைக்க முடியுமா?`,
      (c) => `சரி, ${c.day} அன்று ${c.time} மணிக்கு பிறகு அழைக்கிறோம்.`,
    ],
    cancelled: [() => 'தயவுசெய்து அதை ரத்து செய்யுங்கள். என் மனம் மாறிவிட்டது.', () => 'சரி, ரத்து செய்துவிட்டேன்.'],
    none: [() => 'தெரியவில்லை, யோசித்துச் சொல்கிறேன்.', () => 'பரவாயில்லை. உங்கள் நேரத்திற்கு நன்றி.'],
  },
};

const BENGALI: Phrasebook = {
  language: 'bn',
  greeting: (c) =>
    `নমস্কার, আমি ${c.company ?? 'সহায়তা দল'}-এর পক্ষ থেকে বলছি। আমি কি ${c.fullName || 'অ্যাকাউন্টধারী'}-এর সঙ্গে কথা বলছি?`,
  wrongPerson: [
    (c) => `না, এখানে ${c.name} নামে কেউ নেই। আপনি ভুল নম্বরে ফোন করেছেন।`,
    () => 'অসুবিধার জন্য দুঃখিত। আপনার দিন ভালো কাটুক।',
  ],
  speaking: () => 'হ্যাঁ, বলছি।',
  ask: (c) =>
    `ধন্যবাদ, ${c.name}। আমি ${c.orderId ? `আপনার অর্ডার ${c.orderId}` : 'আপনার সাম্প্রতিক অনুরোধ'} নিয়ে ফোন করছি। আপনি কি নিশ্চিত করবেন?`,
  replies: {
    confirmed: [() => 'হ্যাঁ, এগিয়ে যান।', (c) => `চমৎকার, নিশ্চিত হয়ে গেছে। ধন্যবাদ, ${c.name}!`],
    rescheduled: [
      (c) => `এই সপ্তাহে নয়। ${c.day} তারিখে ${c.time}-এ করা যাবে?`,
      (c) => `অবশ্যই। আমি ${c.day} তারিখে ${c.time}-এ সরিয়ে দিয়েছি।`,
    ],
    not_interested: [() => 'না, আমার আগ্রহ নেই, ধন্যবাদ।', () => 'বুঝেছি। বিরক্ত করার জন্য দুঃখিত।'],
    callback_requested: [
      (c) => `আমি এখন ব্যস্ত। ${c.day} তারিখে ${c.time}-এর পরে ফোন করবেন?`,
      (c) => `নিশ্চয়ই, ${c.day} তারিখে ${c.time}-এর পরে ফোন করব।`,
    ],
    cancelled: [() => 'আসলে, দয়া করে এটা বাতিল করে দিন। আমি মত বদলেছি।', () => 'ঠিক আছে, আমি বাতিল করে দিয়েছি।'],
    none: [() => 'জানি না, একটু ভেবে দেখি।', () => 'কোনো সমস্যা নেই। আপনার সময়ের জন্য ধন্যবাদ।'],
  },
};

const PHRASEBOOKS = new Map([HINDI, TAMIL, BENGALI].map((p) => [p.language, p]));

/** The phrasebook for a call placed in `language` (BCP 47); English when there is none for it. */
export function phrasebookFor(language: string | null | undefined): Phrasebook {
  return (language && PHRASEBOOKS.get(primaryLanguage(language))) || ENGLISH;
}
