import { createTestCore } from '../support/core';
import { rng } from '../support/random';

// fts_p95_ms: full-text search over 100,000 generated transcripts of realistic length (10–16 turns, ~150 words),
// through the same API the Transcripts view calls. A mix of scripts: about half English, the rest Hindi, Tamil and
// Bengali, with queries in each (words with vowel signs and conjuncts, which the index keeps whole).

const NAMES = [
  'Asha',
  'Ravi',
  'Meera',
  'John',
  'Priya',
  'Arjun',
  'Fatima',
  'Li',
  'Carlos',
  'Sunita',
  'Vikram',
  'Grace',
];
const AGENT_LINES = [
  'Hello, am I speaking with {name}? I am calling from Acme Stores about your order {order}.',
  'Your cash on delivery order {order} is scheduled for delivery tomorrow between ten and two.',
  'Would you like to confirm the delivery, reschedule it, or cancel the order?',
  'I can move the delivery to {day}. Does the morning or the evening suit you better?',
  'Thank you, I have noted that. The courier will call you thirty minutes before arrival.',
  'Is the delivery address still the flat near the {place}?',
  'The amount payable on delivery is {amount} rupees; you can pay by cash or UPI.',
  'I understand. I will mark this number as do not call and you will not hear from us again.',
];
const CUSTOMER_LINES = [
  'Yes, this is {name}. What is this about?',
  'Please deliver it on {day} instead, I will be travelling tomorrow.',
  'I did not place any order, you have the wrong person.',
  'Okay, confirm it. Morning is better for me.',
  'Can you send the payment link on WhatsApp?',
  'The address has changed, it is now near the {place}.',
  'Cancel it please, I found it cheaper somewhere else.',
  'Call me back in the evening, I am in a meeting right now.',
];
// Lines in Hindi, Tamil and Bengali, by speaker: [agent lines, customer lines].
const INDIC_LINES: [string[], string[]][] = [
  [
    [
      'नमस्ते {name} जी, मैं एक्मे स्टोर्स से बोल रहा हूँ, आपके ऑर्डर {order} के बारे में।',
      'आपका कैश ऑन डिलीवरी ऑर्डर कल पहुँचेगा। क्या आप इसकी पुष्टि करेंगे?',
      'कुल राशि {amount} रुपये है, आप नकद या यूपीआई से भुगतान कर सकते हैं।',
      'धन्यवाद, कूरियर पहुँचने से आधा घंटा पहले फ़ोन करेगा।',
    ],
    [
      'हाँ, मैं {name} बोल रहा हूँ। कृपया बताइए।',
      'कृपया डिलीवरी शनिवार को कर दीजिए, मैं कल बाहर रहूँगा।',
      'मैंने कोई ऑर्डर नहीं किया, आपने गलत व्यक्ति को फ़ोन किया है।',
      'ठीक है, पुष्टि कर दीजिए। सुबह का समय बेहतर है।',
    ],
  ],
  [
    [
      'வணக்கம் {name}, நான் அக்மே ஸ்டோர்ஸிலிருந்து பேசுகிறேன், உங்கள் ஆர்டர் {order} பற்றி.',
      'உங்கள் ஆர்டர் நாளை டெலிவரி செய்யப்படும். உறுதி செய்யலாமா?',
      'செலுத்த வேண்டிய தொகை {amount} ரூபாய்.',
      'நன்றி, கூரியர் வருவதற்கு முன் அழைப்பார்.',
    ],
    [
      'ஆமாம், நான் {name} பேசுகிறேன்.',
      'தயவுசெய்து சனிக்கிழமை டெலிவரி செய்யுங்கள்.',
      'நான் எந்த ஆர்டரும் செய்யவில்லை.',
      'சரி, உறுதி செய்யுங்கள்.',
    ],
  ],
  [
    [
      'নমস্কার {name}, আমি অ্যাকমে স্টোর্স থেকে বলছি, আপনার অর্ডার {order} নিয়ে।',
      'আপনার অর্ডার কাল পৌঁছাবে। আপনি কি নিশ্চিত করবেন?',
      'মোট {amount} টাকা দিতে হবে।',
      'ধন্যবাদ, কুরিয়ার আসার আগে ফোন করবে।',
    ],
    ['হ্যাঁ, আমি {name} বলছি।', 'দয়া করে শনিবার ডেলিভারি দিন।', 'আমি কোনো অর্ডার দিইনি।', 'ঠিক আছে, নিশ্চিত করুন।'],
  ],
];
const DAYS = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'];
const PLACES = ['railway station', 'temple', 'bus depot', 'city hospital', 'market', 'post office', 'college gate'];
const QUERIES = [
  'reschedule',
  'wrong person',
  'payment link',
  'address changed',
  'railway station',
  'cancel',
  'evening',
  'UPI',
  'courier',
  'Saturday',
  'पुष्टि',
  '"गलत व्यक्ति"',
  'வணக்கம்',
  'சனிக்கிழமை',
  'অর্ডার',
  'ধন্যবাদ',
];

export async function benchFts(count = 100_000): Promise<Record<string, number>> {
  const core = createTestCore();
  try {
    const random = rng(42);
    const pick = <T>(xs: T[]) => xs[Math.floor(random() * xs.length)];
    const fill = (line: string, i: number) =>
      line
        .replace('{name}', pick(NAMES))
        .replace('{order}', `ORD${100000 + i}`)
        .replace('{day}', pick(DAYS))
        .replace('{place}', pick(PLACES))
        .replace('{amount}', String(200 + Math.floor(random() * 5000)));
    // Seeding is not what is measured: one transaction straight into the tables the engine fills.
    const db = core.db;
    const insertCall = db.prepare(
      `INSERT INTO calls (id, phone, idempotency_key, provider, status, result, conversation, created_at, ended_at, summary)
       VALUES (?, ?, ?, 'simulator', 'ended', 'completed', 1, ?, ?, ?)`,
    );
    const insertTurn = db.prepare(
      'INSERT INTO transcript_turns (call_id, seq, speaker, text, at_ms) VALUES (?, ?, ?, ?, ?)',
    );
    const insertDoc = db.prepare('INSERT INTO call_search (rowid, transcript, summary) VALUES (?, ?, ?)');
    const seedStart = performance.now();
    db.transaction(() => {
      for (let i = 1; i <= count; i++) {
        const turns = 10 + Math.floor(random() * 7);
        const script = random();
        const [agentLines, customerLines] =
          script < 0.5 ? [AGENT_LINES, CUSTOMER_LINES] : INDIC_LINES[Math.floor((script - 0.5) * 6)];
        const texts = Array.from({ length: turns }, (_, t) =>
          fill(t % 2 === 0 ? pick(agentLines) : pick(customerLines), i),
        );
        const summary = `Customer ${pick(NAMES)} was called about order ORD${100000 + i}; ${pick(['confirmed', 'rescheduled to ' + pick(DAYS), 'cancelled', 'asked for a callback'])}.`;
        insertCall.run(
          i,
          `+9198${String(10000000 + i).padStart(8, '0')}`,
          `bench-${i}`,
          i * 1000,
          i * 1000 + 60_000,
          summary,
        );
        texts.forEach((text, t) => insertTurn.run(i, t, t % 2 === 0 ? 'agent' : 'customer', text, t * 4000));
        insertDoc.run(i, texts.join('\n'), summary);
      }
    })();
    const seedS = (performance.now() - seedStart) / 1000;
    db.exec("INSERT INTO call_search(call_search) VALUES('optimize')");

    const times: number[] = [];
    for (let round = 0; round < 20; round++) {
      for (const query of QUERIES) {
        const start = performance.now();
        const hits = await core.api['transcripts.search']({ query, limit: 50 });
        times.push(performance.now() - start);
        if (hits.length === 0) throw new Error(`search for "${query}" found nothing`);
      }
    }
    times.sort((a, b) => a - b);
    const at = (q: number) => times[Math.min(times.length - 1, Math.floor(q * times.length))];
    return {
      fts_p50_ms: round3(at(0.5)),
      fts_p95_ms: round3(at(0.95)),
      fts_seed_s: round3(seedS),
      fts_documents: count,
    };
  } finally {
    await core.cleanup();
  }
}

const round3 = (n: number) => Math.round(n * 1000) / 1000;
