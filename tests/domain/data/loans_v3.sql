PRAGMA foreign_keys=OFF;
BEGIN TRANSACTION;
CREATE TABLE schema_migrations ( version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL);
INSERT INTO schema_migrations VALUES(1,'groups, members, ledger, savings, training, audit, sessions',1796199470);
INSERT INTO schema_migrations VALUES(2,'messages (outbox), message events, inbound SMS, session member',1796199470);
INSERT INTO schema_migrations VALUES(3,'loans, loan events, instalments, repayments',1796199470);
CREATE TABLE groups (
  id            INTEGER PRIMARY KEY,
  name          TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
  country       TEXT NOT NULL CHECK (length(country) = 2),
  currency      TEXT NOT NULL CHECK (length(currency) = 3),
  meeting_day   TEXT NOT NULL DEFAULT '',
  meeting_place TEXT NOT NULL DEFAULT '',
  status        TEXT NOT NULL DEFAULT 'active'
                CHECK (status IN ('forming', 'active', 'graduated', 'closed')),
  formed_at     INTEGER,
  field_officer TEXT,
  created_at    INTEGER NOT NULL
);
INSERT INTO "groups" VALUES(1,'Upendo','KE','KES','','','active',NULL,NULL,1717200000);
INSERT INTO "groups" VALUES(2,'Pwani','TZ','TZS','','','active',NULL,NULL,1717200000);
INSERT INTO "groups" VALUES(3,'Tumaini','UG','UGX','','','active',NULL,NULL,1717200000);
CREATE TABLE members (
  id              INTEGER PRIMARY KEY,
  group_id        INTEGER NOT NULL REFERENCES groups(id),
  phone           TEXT NOT NULL CHECK (phone GLOB '+[1-9]*' AND length(phone) BETWEEN 8 AND 16),
  name            TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
  role            TEXT NOT NULL DEFAULT 'member'
                  CHECK (role IN ('member', 'treasurer', 'chair', 'secretary')),
  language        TEXT NOT NULL DEFAULT 'en',
  status          TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'exited')),
  pin_hash        BLOB,
  pin_salt        BLOB,
  pin_failed      INTEGER NOT NULL DEFAULT 0 CHECK (pin_failed >= 0),
  pin_locked_at   INTEGER,
  pin_must_change INTEGER NOT NULL DEFAULT 0 CHECK (pin_must_change IN (0, 1)),
  joined_at       INTEGER NOT NULL,
  exited_at       INTEGER,
  national_id     TEXT,
  consent_service_at     INTEGER,  -- consent to the service itself
  consent_mfi_sharing_at INTEGER,  -- consent to share her data with an MFI
  created_at      INTEGER NOT NULL,
  CHECK ((pin_hash IS NULL) = (pin_salt IS NULL))
);
INSERT INTO members VALUES(1,1,'+254700000002','Wanjiru','treasurer','en','active',NULL,NULL,0,NULL,0,1696464000,NULL,NULL,NULL,NULL,1717200000);
INSERT INTO members VALUES(2,1,'+254700000003','Grace','chair','en','active',NULL,NULL,0,NULL,0,1696464000,NULL,NULL,NULL,NULL,1717200000);
INSERT INTO members VALUES(3,1,'+254700000001','Amina Achieng','member','en','active',NULL,NULL,0,NULL,0,1696464000,NULL,NULL,NULL,1717200000,1717200000);
INSERT INTO members VALUES(4,1,'+254700000005','Mary','member','en','active',NULL,NULL,0,NULL,0,1696464000,NULL,NULL,NULL,NULL,1717200000);
INSERT INTO members VALUES(5,1,'+254700000006','Halima','member','en','active',NULL,NULL,0,NULL,0,1696464000,NULL,NULL,NULL,NULL,1717200000);
INSERT INTO members VALUES(6,1,'+254700000007','Neema','member','en','active',NULL,NULL,0,NULL,0,1713744000,NULL,NULL,NULL,NULL,1717200000);
INSERT INTO members VALUES(7,1,'+254700000008','Rose','member','en','active',NULL,NULL,0,NULL,0,1696464000,NULL,NULL,NULL,NULL,1717200000);
INSERT INTO members VALUES(8,1,'+254700000009','Old','member','en','exited',NULL,NULL,0,NULL,0,1696464000,NULL,NULL,NULL,NULL,1717200000);
INSERT INTO members VALUES(9,1,'+254700000010','Esther','secretary','en','active',NULL,NULL,0,NULL,0,1696464000,NULL,NULL,NULL,NULL,1717200000);
INSERT INTO members VALUES(10,2,'+255712000001','Zawadi','chair','en','active',NULL,NULL,0,NULL,0,1696464000,NULL,NULL,NULL,NULL,1717200000);
INSERT INTO members VALUES(11,2,'+255712000002','Subira','member','en','active',NULL,NULL,0,NULL,0,1696464000,NULL,NULL,NULL,NULL,1717200000);
INSERT INTO members VALUES(12,3,'+256700000002','Joan','treasurer','en','active',NULL,NULL,0,NULL,0,1696464000,NULL,NULL,NULL,NULL,1717200000);
INSERT INTO members VALUES(13,3,'+256700000003','Sarah','member','en','active',NULL,NULL,0,NULL,0,1696464000,NULL,NULL,NULL,NULL,1717200000);
CREATE TABLE accounts (
  id         INTEGER PRIMARY KEY,
  group_id   INTEGER NOT NULL REFERENCES groups(id),
  member_id  INTEGER REFERENCES members(id),
  partner_id TEXT,
  kind       TEXT NOT NULL CHECK (kind IN ('group_loan_fund', 'group_social_fund',
                                           'member_savings', 'member_loan', 'mfi_clearing')),
  type       TEXT NOT NULL CHECK (type IN ('asset', 'liability', 'equity', 'income', 'expense')),
  normal     INTEGER NOT NULL CHECK (normal IN (1, -1)),
  currency   TEXT NOT NULL,
  -- Cached sum of postings, debit positive. SQLite turns an overflowing
  -- integer sum into a REAL: the typeof check refuses that.
  balance    INTEGER NOT NULL DEFAULT 0 CHECK (typeof(balance) = 'integer'),
  created_at INTEGER NOT NULL,
  CHECK ((kind IN ('member_savings', 'member_loan')) = (member_id IS NOT NULL)),
  CHECK ((kind = 'mfi_clearing') = (partner_id IS NOT NULL))
);
INSERT INTO accounts VALUES(1,1,NULL,NULL,'group_loan_fund','asset',1,'KES',1935000,1717200000);
INSERT INTO accounts VALUES(2,1,NULL,NULL,'group_social_fund','asset',1,'KES',0,1717200000);
INSERT INTO accounts VALUES(3,2,NULL,NULL,'group_loan_fund','asset',1,'TZS',600000,1717200000);
INSERT INTO accounts VALUES(4,2,NULL,NULL,'group_social_fund','asset',1,'TZS',0,1717200000);
INSERT INTO accounts VALUES(5,3,NULL,NULL,'group_loan_fund','asset',1,'UGX',6000000,1717200000);
INSERT INTO accounts VALUES(6,3,NULL,NULL,'group_social_fund','asset',1,'UGX',0,1717200000);
INSERT INTO accounts VALUES(7,1,1,NULL,'member_savings','liability',-1,'KES',-300000,1717200000);
INSERT INTO accounts VALUES(8,1,1,NULL,'member_loan','asset',1,'KES',0,1717200000);
INSERT INTO accounts VALUES(9,1,2,NULL,'member_savings','liability',-1,'KES',-300000,1717200000);
INSERT INTO accounts VALUES(10,1,2,NULL,'member_loan','asset',1,'KES',0,1717200000);
INSERT INTO accounts VALUES(11,1,3,NULL,'member_savings','liability',-1,'KES',-425000,1717200000);
INSERT INTO accounts VALUES(12,1,3,NULL,'member_loan','asset',1,'KES',724666,1717200000);
INSERT INTO accounts VALUES(13,1,4,NULL,'member_savings','liability',-1,'KES',-300000,1717200000);
INSERT INTO accounts VALUES(14,1,4,NULL,'member_loan','asset',1,'KES',0,1717200000);
INSERT INTO accounts VALUES(15,1,5,NULL,'member_savings','liability',-1,'KES',-250000,1717200000);
INSERT INTO accounts VALUES(16,1,5,NULL,'member_loan','asset',1,'KES',0,1717200000);
INSERT INTO accounts VALUES(17,1,6,NULL,'member_savings','liability',-1,'KES',-300000,1717200000);
INSERT INTO accounts VALUES(18,1,6,NULL,'member_loan','asset',1,'KES',0,1717200000);
INSERT INTO accounts VALUES(19,1,7,NULL,'member_savings','liability',-1,'KES',-60000,1717200000);
INSERT INTO accounts VALUES(20,1,7,NULL,'member_loan','asset',1,'KES',0,1717200000);
INSERT INTO accounts VALUES(21,1,8,NULL,'member_savings','liability',-1,'KES',0,1717200000);
INSERT INTO accounts VALUES(22,1,8,NULL,'member_loan','asset',1,'KES',0,1717200000);
INSERT INTO accounts VALUES(23,1,9,NULL,'member_savings','liability',-1,'KES',0,1717200000);
INSERT INTO accounts VALUES(24,1,9,NULL,'member_loan','asset',1,'KES',0,1717200000);
INSERT INTO accounts VALUES(25,2,10,NULL,'member_savings','liability',-1,'TZS',0,1717200000);
INSERT INTO accounts VALUES(26,2,10,NULL,'member_loan','asset',1,'TZS',0,1717200000);
INSERT INTO accounts VALUES(27,2,11,NULL,'member_savings','liability',-1,'TZS',-600000,1717200000);
INSERT INTO accounts VALUES(28,2,11,NULL,'member_loan','asset',1,'TZS',0,1717200000);
INSERT INTO accounts VALUES(29,3,12,NULL,'member_savings','liability',-1,'UGX',0,1717200000);
INSERT INTO accounts VALUES(30,3,12,NULL,'member_loan','asset',1,'UGX',0,1717200000);
INSERT INTO accounts VALUES(31,3,13,NULL,'member_savings','liability',-1,'UGX',-6000000,1717200000);
INSERT INTO accounts VALUES(32,3,13,NULL,'member_loan','asset',1,'UGX',0,1717200000);
INSERT INTO accounts VALUES(33,1,NULL,'imara','mfi_clearing','liability',-1,'KES',-724666,1717200000);
CREATE TABLE journals (
  id                  INTEGER PRIMARY KEY,
  group_id            INTEGER NOT NULL REFERENCES groups(id),
  kind                TEXT NOT NULL,  -- saving | reversal | ...
  currency            TEXT NOT NULL,
  reference           TEXT NOT NULL DEFAULT '',
  reverses_journal_id INTEGER UNIQUE REFERENCES journals(id),  -- reversed at most once
  memo                TEXT NOT NULL DEFAULT '',
  created_at          INTEGER NOT NULL
);
INSERT INTO journals VALUES(1,1,'saving','KES','YXB8GN',NULL,'',1703376000);
INSERT INTO journals VALUES(2,1,'saving','KES','YZ9ADP',NULL,'',1705104000);
INSERT INTO journals VALUES(3,1,'saving','KES','WR4PYW',NULL,'',1706832000);
INSERT INTO journals VALUES(4,1,'saving','KES','A5J4Y9',NULL,'',1708560000);
INSERT INTO journals VALUES(5,1,'saving','KES','8BM95Y',NULL,'',1710288000);
INSERT INTO journals VALUES(6,1,'saving','KES','82YG6Y',NULL,'',1712016000);
INSERT INTO journals VALUES(7,1,'saving','KES','AJ93MS',NULL,'',1713744000);
INSERT INTO journals VALUES(8,1,'saving','KES','DUC7DX',NULL,'',1715472000);
INSERT INTO journals VALUES(9,1,'saving','KES','FRYTXE',NULL,'',1706832000);
INSERT INTO journals VALUES(10,1,'saving','KES','6U2ZZB',NULL,'',1708560000);
INSERT INTO journals VALUES(11,1,'saving','KES','7N5473',NULL,'',1710288000);
INSERT INTO journals VALUES(12,1,'saving','KES','BRSKRA',NULL,'',1712016000);
INSERT INTO journals VALUES(13,1,'saving','KES','R5UBFW',NULL,'',1713744000);
INSERT INTO journals VALUES(14,1,'saving','KES','W2FST6',NULL,'',1715472000);
INSERT INTO journals VALUES(15,1,'saving','KES','ZX3SH7',NULL,'',1706832000);
INSERT INTO journals VALUES(16,1,'saving','KES','N34T9X',NULL,'',1708560000);
INSERT INTO journals VALUES(17,1,'saving','KES','5KPA9G',NULL,'',1710288000);
INSERT INTO journals VALUES(18,1,'saving','KES','6DEJ2D',NULL,'',1712016000);
INSERT INTO journals VALUES(19,1,'saving','KES','365SBN',NULL,'',1713744000);
INSERT INTO journals VALUES(20,1,'saving','KES','Q7TEDL',NULL,'',1715472000);
INSERT INTO journals VALUES(21,1,'saving','KES','LQD83G',NULL,'',1706832000);
INSERT INTO journals VALUES(22,1,'saving','KES','E2RULE',NULL,'',1708560000);
INSERT INTO journals VALUES(23,1,'saving','KES','M5DSHM',NULL,'',1710288000);
INSERT INTO journals VALUES(24,1,'saving','KES','ES45LH',NULL,'',1712016000);
INSERT INTO journals VALUES(25,1,'saving','KES','KTBTNH',NULL,'',1713744000);
INSERT INTO journals VALUES(26,1,'saving','KES','3MMF3X',NULL,'',1715472000);
INSERT INTO journals VALUES(27,1,'saving','KES','YG2QDE',NULL,'',1708560000);
INSERT INTO journals VALUES(28,1,'saving','KES','49RM4Y',NULL,'',1710288000);
INSERT INTO journals VALUES(29,1,'saving','KES','8VE7K8',NULL,'',1712016000);
INSERT INTO journals VALUES(30,1,'saving','KES','3J9CUF',NULL,'',1713744000);
INSERT INTO journals VALUES(31,1,'saving','KES','K3543Y',NULL,'',1715472000);
INSERT INTO journals VALUES(32,1,'saving','KES','K6RWXR',NULL,'',1714608000);
INSERT INTO journals VALUES(33,1,'saving','KES','CXZWBZ',NULL,'',1715040000);
INSERT INTO journals VALUES(34,1,'saving','KES','EXPC9Z',NULL,'',1715472000);
INSERT INTO journals VALUES(35,1,'saving','KES','M3R9B5',NULL,'',1715904000);
INSERT INTO journals VALUES(36,1,'saving','KES','398TVU',NULL,'',1716336000);
INSERT INTO journals VALUES(37,1,'saving','KES','V8W2LL',NULL,'',1716768000);
INSERT INTO journals VALUES(38,1,'saving','KES','GX9GGT',NULL,'',1706832000);
INSERT INTO journals VALUES(39,1,'saving','KES','6UL2XZ',NULL,'',1708560000);
INSERT INTO journals VALUES(40,1,'saving','KES','WHMNVH',NULL,'',1710288000);
INSERT INTO journals VALUES(41,1,'saving','KES','SLBCYF',NULL,'',1712016000);
INSERT INTO journals VALUES(42,1,'saving','KES','P4NGLQ',NULL,'',1713744000);
INSERT INTO journals VALUES(43,1,'saving','KES','M3RRB4',NULL,'',1715472000);
INSERT INTO journals VALUES(44,2,'saving','TZS','SPR63F',NULL,'',1706832000);
INSERT INTO journals VALUES(45,2,'saving','TZS','XNK627',NULL,'',1708560000);
INSERT INTO journals VALUES(46,2,'saving','TZS','Z2X9UE',NULL,'',1710288000);
INSERT INTO journals VALUES(47,2,'saving','TZS','KJPXV9',NULL,'',1712016000);
INSERT INTO journals VALUES(48,2,'saving','TZS','RDEZTR',NULL,'',1713744000);
INSERT INTO journals VALUES(49,2,'saving','TZS','A5Z3ZM',NULL,'',1715472000);
INSERT INTO journals VALUES(50,3,'saving','UGX','4LCCLM',NULL,'',1706832000);
INSERT INTO journals VALUES(51,3,'saving','UGX','VYN2NM',NULL,'',1708560000);
INSERT INTO journals VALUES(52,3,'saving','UGX','KZZTW8',NULL,'',1710288000);
INSERT INTO journals VALUES(53,3,'saving','UGX','YGZK32',NULL,'',1712016000);
INSERT INTO journals VALUES(54,3,'saving','UGX','J9XJ7G',NULL,'',1713744000);
INSERT INTO journals VALUES(55,3,'saving','UGX','KRJ7BT',NULL,'',1715472000);
INSERT INTO journals VALUES(56,1,'loan_disbursement','KES','URMBGT',NULL,'loan URMBGT from imara',1717200000);
INSERT INTO journals VALUES(57,1,'loan_interest','KES','URMBGT',NULL,'loan URMBGT from imara',1717200000);
INSERT INTO journals VALUES(58,1,'loan_repayment','KES','CONF22',NULL,'',1717200000);
INSERT INTO journals VALUES(59,1,'loan_repayment','KES','PART22',NULL,'',1717200000);
INSERT INTO journals VALUES(60,1,'loan_repayment','KES','STAF22',NULL,'',1717200000);
CREATE TABLE postings (
  id         INTEGER PRIMARY KEY,
  journal_id INTEGER NOT NULL REFERENCES journals(id),
  account_id INTEGER NOT NULL REFERENCES accounts(id),
  amount     INTEGER NOT NULL CHECK (amount <> 0)  -- debit positive, credit negative
);
INSERT INTO postings VALUES(1,1,1,50000);
INSERT INTO postings VALUES(2,1,11,-50000);
INSERT INTO postings VALUES(3,2,1,50000);
INSERT INTO postings VALUES(4,2,11,-50000);
INSERT INTO postings VALUES(5,3,1,50000);
INSERT INTO postings VALUES(6,3,11,-50000);
INSERT INTO postings VALUES(7,4,1,50000);
INSERT INTO postings VALUES(8,4,11,-50000);
INSERT INTO postings VALUES(9,5,1,50000);
INSERT INTO postings VALUES(10,5,11,-50000);
INSERT INTO postings VALUES(11,6,1,50000);
INSERT INTO postings VALUES(12,6,11,-50000);
INSERT INTO postings VALUES(13,7,1,50000);
INSERT INTO postings VALUES(14,7,11,-50000);
INSERT INTO postings VALUES(15,8,1,75000);
INSERT INTO postings VALUES(16,8,11,-75000);
INSERT INTO postings VALUES(17,9,1,50000);
INSERT INTO postings VALUES(18,9,7,-50000);
INSERT INTO postings VALUES(19,10,1,50000);
INSERT INTO postings VALUES(20,10,7,-50000);
INSERT INTO postings VALUES(21,11,1,50000);
INSERT INTO postings VALUES(22,11,7,-50000);
INSERT INTO postings VALUES(23,12,1,50000);
INSERT INTO postings VALUES(24,12,7,-50000);
INSERT INTO postings VALUES(25,13,1,50000);
INSERT INTO postings VALUES(26,13,7,-50000);
INSERT INTO postings VALUES(27,14,1,50000);
INSERT INTO postings VALUES(28,14,7,-50000);
INSERT INTO postings VALUES(29,15,1,50000);
INSERT INTO postings VALUES(30,15,9,-50000);
INSERT INTO postings VALUES(31,16,1,50000);
INSERT INTO postings VALUES(32,16,9,-50000);
INSERT INTO postings VALUES(33,17,1,50000);
INSERT INTO postings VALUES(34,17,9,-50000);
INSERT INTO postings VALUES(35,18,1,50000);
INSERT INTO postings VALUES(36,18,9,-50000);
INSERT INTO postings VALUES(37,19,1,50000);
INSERT INTO postings VALUES(38,19,9,-50000);
INSERT INTO postings VALUES(39,20,1,50000);
INSERT INTO postings VALUES(40,20,9,-50000);
INSERT INTO postings VALUES(41,21,1,50000);
INSERT INTO postings VALUES(42,21,13,-50000);
INSERT INTO postings VALUES(43,22,1,50000);
INSERT INTO postings VALUES(44,22,13,-50000);
INSERT INTO postings VALUES(45,23,1,50000);
INSERT INTO postings VALUES(46,23,13,-50000);
INSERT INTO postings VALUES(47,24,1,50000);
INSERT INTO postings VALUES(48,24,13,-50000);
INSERT INTO postings VALUES(49,25,1,50000);
INSERT INTO postings VALUES(50,25,13,-50000);
INSERT INTO postings VALUES(51,26,1,50000);
INSERT INTO postings VALUES(52,26,13,-50000);
INSERT INTO postings VALUES(53,27,1,50000);
INSERT INTO postings VALUES(54,27,15,-50000);
INSERT INTO postings VALUES(55,28,1,50000);
INSERT INTO postings VALUES(56,28,15,-50000);
INSERT INTO postings VALUES(57,29,1,50000);
INSERT INTO postings VALUES(58,29,15,-50000);
INSERT INTO postings VALUES(59,30,1,50000);
INSERT INTO postings VALUES(60,30,15,-50000);
INSERT INTO postings VALUES(61,31,1,50000);
INSERT INTO postings VALUES(62,31,15,-50000);
INSERT INTO postings VALUES(63,32,1,50000);
INSERT INTO postings VALUES(64,32,17,-50000);
INSERT INTO postings VALUES(65,33,1,50000);
INSERT INTO postings VALUES(66,33,17,-50000);
INSERT INTO postings VALUES(67,34,1,50000);
INSERT INTO postings VALUES(68,34,17,-50000);
INSERT INTO postings VALUES(69,35,1,50000);
INSERT INTO postings VALUES(70,35,17,-50000);
INSERT INTO postings VALUES(71,36,1,50000);
INSERT INTO postings VALUES(72,36,17,-50000);
INSERT INTO postings VALUES(73,37,1,50000);
INSERT INTO postings VALUES(74,37,17,-50000);
INSERT INTO postings VALUES(75,38,1,10000);
INSERT INTO postings VALUES(76,38,19,-10000);
INSERT INTO postings VALUES(77,39,1,10000);
INSERT INTO postings VALUES(78,39,19,-10000);
INSERT INTO postings VALUES(79,40,1,10000);
INSERT INTO postings VALUES(80,40,19,-10000);
INSERT INTO postings VALUES(81,41,1,10000);
INSERT INTO postings VALUES(82,41,19,-10000);
INSERT INTO postings VALUES(83,42,1,10000);
INSERT INTO postings VALUES(84,42,19,-10000);
INSERT INTO postings VALUES(85,43,1,10000);
INSERT INTO postings VALUES(86,43,19,-10000);
INSERT INTO postings VALUES(87,44,3,100000);
INSERT INTO postings VALUES(88,44,27,-100000);
INSERT INTO postings VALUES(89,45,3,100000);
INSERT INTO postings VALUES(90,45,27,-100000);
INSERT INTO postings VALUES(91,46,3,100000);
INSERT INTO postings VALUES(92,46,27,-100000);
INSERT INTO postings VALUES(93,47,3,100000);
INSERT INTO postings VALUES(94,47,27,-100000);
INSERT INTO postings VALUES(95,48,3,100000);
INSERT INTO postings VALUES(96,48,27,-100000);
INSERT INTO postings VALUES(97,49,3,100000);
INSERT INTO postings VALUES(98,49,27,-100000);
INSERT INTO postings VALUES(99,50,5,1000000);
INSERT INTO postings VALUES(100,50,31,-1000000);
INSERT INTO postings VALUES(101,51,5,1000000);
INSERT INTO postings VALUES(102,51,31,-1000000);
INSERT INTO postings VALUES(103,52,5,1000000);
INSERT INTO postings VALUES(104,52,31,-1000000);
INSERT INTO postings VALUES(105,53,5,1000000);
INSERT INTO postings VALUES(106,53,31,-1000000);
INSERT INTO postings VALUES(107,54,5,1000000);
INSERT INTO postings VALUES(108,54,31,-1000000);
INSERT INTO postings VALUES(109,55,5,1000000);
INSERT INTO postings VALUES(110,55,31,-1000000);
INSERT INTO postings VALUES(111,56,12,1000000);
INSERT INTO postings VALUES(112,56,33,-1000000);
INSERT INTO postings VALUES(113,57,12,90000);
INSERT INTO postings VALUES(114,57,33,-90000);
INSERT INTO postings VALUES(115,58,33,181667);
INSERT INTO postings VALUES(116,58,12,-181667);
INSERT INTO postings VALUES(117,59,33,181667);
INSERT INTO postings VALUES(118,59,12,-181667);
INSERT INTO postings VALUES(119,60,33,2000);
INSERT INTO postings VALUES(120,60,12,-2000);
CREATE TABLE savings (
  id                  INTEGER PRIMARY KEY,
  member_id           INTEGER NOT NULL REFERENCES members(id),
  group_id            INTEGER NOT NULL REFERENCES groups(id),
  amount              INTEGER NOT NULL CHECK (amount > 0),
  currency            TEXT NOT NULL,
  status              TEXT NOT NULL DEFAULT 'pending'
                      CHECK (status IN ('pending', 'confirmed', 'rejected')),
  reference           TEXT NOT NULL UNIQUE,
  idempotency_key     TEXT UNIQUE,  -- NULL when the caller gave none
  channel             TEXT NOT NULL DEFAULT '',
  created_at          INTEGER NOT NULL,
  decided_by          INTEGER REFERENCES members(id),
  decided_at          INTEGER,
  journal_id          INTEGER UNIQUE REFERENCES journals(id),
  reversal_journal_id INTEGER UNIQUE REFERENCES journals(id),
  CHECK ((status = 'confirmed') = (journal_id IS NOT NULL)),
  CHECK (reversal_journal_id IS NULL OR status = 'confirmed')
);
INSERT INTO savings VALUES(1,3,1,50000,'KES','confirmed','YXB8GN',NULL,'ussd',1703376000,1,1703376000,1,NULL);
INSERT INTO savings VALUES(2,3,1,50000,'KES','confirmed','YZ9ADP',NULL,'ussd',1705104000,1,1705104000,2,NULL);
INSERT INTO savings VALUES(3,3,1,50000,'KES','confirmed','WR4PYW',NULL,'ussd',1706832000,1,1706832000,3,NULL);
INSERT INTO savings VALUES(4,3,1,50000,'KES','confirmed','A5J4Y9',NULL,'ussd',1708560000,1,1708560000,4,NULL);
INSERT INTO savings VALUES(5,3,1,50000,'KES','confirmed','8BM95Y',NULL,'ussd',1710288000,1,1710288000,5,NULL);
INSERT INTO savings VALUES(6,3,1,50000,'KES','confirmed','82YG6Y',NULL,'ussd',1712016000,1,1712016000,6,NULL);
INSERT INTO savings VALUES(7,3,1,50000,'KES','confirmed','AJ93MS',NULL,'ussd',1713744000,1,1713744000,7,NULL);
INSERT INTO savings VALUES(8,3,1,75000,'KES','confirmed','DUC7DX',NULL,'ussd',1715472000,1,1715472000,8,NULL);
INSERT INTO savings VALUES(9,1,1,50000,'KES','confirmed','FRYTXE',NULL,'ussd',1706832000,2,1706832000,9,NULL);
INSERT INTO savings VALUES(10,1,1,50000,'KES','confirmed','6U2ZZB',NULL,'ussd',1708560000,2,1708560000,10,NULL);
INSERT INTO savings VALUES(11,1,1,50000,'KES','confirmed','7N5473',NULL,'ussd',1710288000,2,1710288000,11,NULL);
INSERT INTO savings VALUES(12,1,1,50000,'KES','confirmed','BRSKRA',NULL,'ussd',1712016000,2,1712016000,12,NULL);
INSERT INTO savings VALUES(13,1,1,50000,'KES','confirmed','R5UBFW',NULL,'ussd',1713744000,2,1713744000,13,NULL);
INSERT INTO savings VALUES(14,1,1,50000,'KES','confirmed','W2FST6',NULL,'ussd',1715472000,2,1715472000,14,NULL);
INSERT INTO savings VALUES(15,2,1,50000,'KES','confirmed','ZX3SH7',NULL,'ussd',1706832000,1,1706832000,15,NULL);
INSERT INTO savings VALUES(16,2,1,50000,'KES','confirmed','N34T9X',NULL,'ussd',1708560000,1,1708560000,16,NULL);
INSERT INTO savings VALUES(17,2,1,50000,'KES','confirmed','5KPA9G',NULL,'ussd',1710288000,1,1710288000,17,NULL);
INSERT INTO savings VALUES(18,2,1,50000,'KES','confirmed','6DEJ2D',NULL,'ussd',1712016000,1,1712016000,18,NULL);
INSERT INTO savings VALUES(19,2,1,50000,'KES','confirmed','365SBN',NULL,'ussd',1713744000,1,1713744000,19,NULL);
INSERT INTO savings VALUES(20,2,1,50000,'KES','confirmed','Q7TEDL',NULL,'ussd',1715472000,1,1715472000,20,NULL);
INSERT INTO savings VALUES(21,4,1,50000,'KES','confirmed','LQD83G',NULL,'ussd',1706832000,1,1706832000,21,NULL);
INSERT INTO savings VALUES(22,4,1,50000,'KES','confirmed','E2RULE',NULL,'ussd',1708560000,1,1708560000,22,NULL);
INSERT INTO savings VALUES(23,4,1,50000,'KES','confirmed','M5DSHM',NULL,'ussd',1710288000,1,1710288000,23,NULL);
INSERT INTO savings VALUES(24,4,1,50000,'KES','confirmed','ES45LH',NULL,'ussd',1712016000,1,1712016000,24,NULL);
INSERT INTO savings VALUES(25,4,1,50000,'KES','confirmed','KTBTNH',NULL,'ussd',1713744000,1,1713744000,25,NULL);
INSERT INTO savings VALUES(26,4,1,50000,'KES','confirmed','3MMF3X',NULL,'ussd',1715472000,1,1715472000,26,NULL);
INSERT INTO savings VALUES(27,5,1,50000,'KES','confirmed','YG2QDE',NULL,'ussd',1708560000,1,1708560000,27,NULL);
INSERT INTO savings VALUES(28,5,1,50000,'KES','confirmed','49RM4Y',NULL,'ussd',1710288000,1,1710288000,28,NULL);
INSERT INTO savings VALUES(29,5,1,50000,'KES','confirmed','8VE7K8',NULL,'ussd',1712016000,1,1712016000,29,NULL);
INSERT INTO savings VALUES(30,5,1,50000,'KES','confirmed','3J9CUF',NULL,'ussd',1713744000,1,1713744000,30,NULL);
INSERT INTO savings VALUES(31,5,1,50000,'KES','confirmed','K3543Y',NULL,'ussd',1715472000,1,1715472000,31,NULL);
INSERT INTO savings VALUES(32,6,1,50000,'KES','confirmed','K6RWXR',NULL,'ussd',1714608000,1,1714608000,32,NULL);
INSERT INTO savings VALUES(33,6,1,50000,'KES','confirmed','CXZWBZ',NULL,'ussd',1715040000,1,1715040000,33,NULL);
INSERT INTO savings VALUES(34,6,1,50000,'KES','confirmed','EXPC9Z',NULL,'ussd',1715472000,1,1715472000,34,NULL);
INSERT INTO savings VALUES(35,6,1,50000,'KES','confirmed','M3R9B5',NULL,'ussd',1715904000,1,1715904000,35,NULL);
INSERT INTO savings VALUES(36,6,1,50000,'KES','confirmed','398TVU',NULL,'ussd',1716336000,1,1716336000,36,NULL);
INSERT INTO savings VALUES(37,6,1,50000,'KES','confirmed','V8W2LL',NULL,'ussd',1716768000,1,1716768000,37,NULL);
INSERT INTO savings VALUES(38,7,1,10000,'KES','confirmed','GX9GGT',NULL,'ussd',1706832000,1,1706832000,38,NULL);
INSERT INTO savings VALUES(39,7,1,10000,'KES','confirmed','6UL2XZ',NULL,'ussd',1708560000,1,1708560000,39,NULL);
INSERT INTO savings VALUES(40,7,1,10000,'KES','confirmed','WHMNVH',NULL,'ussd',1710288000,1,1710288000,40,NULL);
INSERT INTO savings VALUES(41,7,1,10000,'KES','confirmed','SLBCYF',NULL,'ussd',1712016000,1,1712016000,41,NULL);
INSERT INTO savings VALUES(42,7,1,10000,'KES','confirmed','P4NGLQ',NULL,'ussd',1713744000,1,1713744000,42,NULL);
INSERT INTO savings VALUES(43,7,1,10000,'KES','confirmed','M3RRB4',NULL,'ussd',1715472000,1,1715472000,43,NULL);
INSERT INTO savings VALUES(44,11,2,100000,'TZS','confirmed','SPR63F',NULL,'ussd',1706832000,10,1706832000,44,NULL);
INSERT INTO savings VALUES(45,11,2,100000,'TZS','confirmed','XNK627',NULL,'ussd',1708560000,10,1708560000,45,NULL);
INSERT INTO savings VALUES(46,11,2,100000,'TZS','confirmed','Z2X9UE',NULL,'ussd',1710288000,10,1710288000,46,NULL);
INSERT INTO savings VALUES(47,11,2,100000,'TZS','confirmed','KJPXV9',NULL,'ussd',1712016000,10,1712016000,47,NULL);
INSERT INTO savings VALUES(48,11,2,100000,'TZS','confirmed','RDEZTR',NULL,'ussd',1713744000,10,1713744000,48,NULL);
INSERT INTO savings VALUES(49,11,2,100000,'TZS','confirmed','A5Z3ZM',NULL,'ussd',1715472000,10,1715472000,49,NULL);
INSERT INTO savings VALUES(50,13,3,1000000,'UGX','confirmed','4LCCLM',NULL,'ussd',1706832000,12,1706832000,50,NULL);
INSERT INTO savings VALUES(51,13,3,1000000,'UGX','confirmed','VYN2NM',NULL,'ussd',1708560000,12,1708560000,51,NULL);
INSERT INTO savings VALUES(52,13,3,1000000,'UGX','confirmed','KZZTW8',NULL,'ussd',1710288000,12,1710288000,52,NULL);
INSERT INTO savings VALUES(53,13,3,1000000,'UGX','confirmed','YGZK32',NULL,'ussd',1712016000,12,1712016000,53,NULL);
INSERT INTO savings VALUES(54,13,3,1000000,'UGX','confirmed','J9XJ7G',NULL,'ussd',1713744000,12,1713744000,54,NULL);
INSERT INTO savings VALUES(55,13,3,1000000,'UGX','confirmed','KRJ7BT',NULL,'ussd',1715472000,12,1715472000,55,NULL);
CREATE TABLE training_modules (
  id    TEXT PRIMARY KEY,
  step  INTEGER NOT NULL CHECK (step BETWEEN 1 AND 4),
  title TEXT NOT NULL
) WITHOUT ROWID;
INSERT INTO training_modules VALUES('s1-groups',1,'Group dynamics');
INSERT INTO training_modules VALUES('s2-business',2,'Starting a business');
INSERT INTO training_modules VALUES('s3-loans',3,'Using a loan');
CREATE TABLE training_records (
  member_id    INTEGER NOT NULL REFERENCES members(id),
  module_id    TEXT NOT NULL REFERENCES training_modules(id),
  completed_at INTEGER NOT NULL,
  recorded_by  TEXT NOT NULL,
  PRIMARY KEY (member_id, module_id)
) WITHOUT ROWID;
INSERT INTO training_records VALUES(1,'s1-groups',1717200000,'staff');
INSERT INTO training_records VALUES(1,'s2-business',1717200000,'staff');
INSERT INTO training_records VALUES(2,'s1-groups',1717200000,'staff');
INSERT INTO training_records VALUES(2,'s2-business',1717200000,'staff');
INSERT INTO training_records VALUES(3,'s1-groups',1717200000,'staff');
INSERT INTO training_records VALUES(3,'s2-business',1717200000,'staff');
INSERT INTO training_records VALUES(4,'s1-groups',1717200000,'staff');
INSERT INTO training_records VALUES(5,'s1-groups',1717200000,'staff');
INSERT INTO training_records VALUES(5,'s2-business',1717200000,'staff');
INSERT INTO training_records VALUES(6,'s1-groups',1717200000,'staff');
INSERT INTO training_records VALUES(6,'s2-business',1717200000,'staff');
INSERT INTO training_records VALUES(7,'s1-groups',1717200000,'staff');
INSERT INTO training_records VALUES(7,'s2-business',1717200000,'staff');
INSERT INTO training_records VALUES(8,'s1-groups',1717200000,'staff');
INSERT INTO training_records VALUES(8,'s2-business',1717200000,'staff');
INSERT INTO training_records VALUES(9,'s1-groups',1717200000,'staff');
INSERT INTO training_records VALUES(9,'s2-business',1717200000,'staff');
INSERT INTO training_records VALUES(10,'s1-groups',1717200000,'staff');
INSERT INTO training_records VALUES(10,'s2-business',1717200000,'staff');
INSERT INTO training_records VALUES(11,'s1-groups',1717200000,'staff');
INSERT INTO training_records VALUES(11,'s2-business',1717200000,'staff');
INSERT INTO training_records VALUES(12,'s1-groups',1717200000,'staff');
INSERT INTO training_records VALUES(12,'s2-business',1717200000,'staff');
INSERT INTO training_records VALUES(13,'s1-groups',1717200000,'staff');
INSERT INTO training_records VALUES(13,'s2-business',1717200000,'staff');
CREATE TABLE audit_log (
  id         INTEGER PRIMARY KEY,
  at         INTEGER NOT NULL,
  actor_kind TEXT NOT NULL CHECK (actor_kind IN ('member', 'staff', 'system', 'partner')),
  actor      TEXT NOT NULL,
  action     TEXT NOT NULL,
  subject    TEXT NOT NULL DEFAULT '',
  channel    TEXT NOT NULL DEFAULT '',
  request_id TEXT NOT NULL DEFAULT '',
  detail     TEXT NOT NULL DEFAULT ''
);
INSERT INTO audit_log VALUES(1,1717200000,'member','3','loan.request','loan:1','ussd','req-1','amount 1000000 KES purpose bakery term 6 partner imara consent');
INSERT INTO audit_log VALUES(2,1717200000,'member','2','loan.group_approve','loan:1','ussd','req-1','by member 2');
INSERT INTO audit_log VALUES(3,1717200000,'member','2','loan.refer','loan:1','ussd','req-1','partner imara (outbox)');
INSERT INTO audit_log VALUES(4,1717200000,'partner','imara','loan.mfi_approve','loan:1','partner-api','cb-1','amount 1000000 term 6 flat 1800bp');
INSERT INTO audit_log VALUES(5,1717200000,'partner','imara','loan.disburse','loan:1','partner-api','cb-1','transaction TX-1 amount 1000000 interest 90000');
CREATE TABLE ussd_sessions (
  id         INTEGER PRIMARY KEY,
  channel    TEXT NOT NULL,
  session_id TEXT NOT NULL,
  phone      TEXT NOT NULL,
  network    TEXT NOT NULL DEFAULT '',
  state      TEXT NOT NULL,
  step       INTEGER NOT NULL DEFAULT 0,
  answer     TEXT NOT NULL DEFAULT '',
  ended      INTEGER NOT NULL DEFAULT 0 CHECK (ended IN (0, 1)),
  updated_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL, member_id INTEGER,
  UNIQUE (channel, session_id)
);
CREATE TABLE messages (
  id                  INTEGER PRIMARY KEY,
  channel             TEXT NOT NULL,
  member_id           INTEGER REFERENCES members(id),
  phone               TEXT NOT NULL CHECK (phone GLOB '+[1-9]*'),
  kind                TEXT NOT NULL,
  language            TEXT NOT NULL DEFAULT '',
  body                TEXT NOT NULL,
  sensitive           INTEGER NOT NULL DEFAULT 0 CHECK (sensitive IN (0, 1)),
  encoding            TEXT NOT NULL CHECK (encoding IN ('gsm7', 'ucs2')),
  segments            INTEGER NOT NULL CHECK (segments >= 1),
  status              TEXT NOT NULL CHECK (status IN
                        ('queued', 'sending', 'sent', 'delivered', 'failed', 'cancelled')),
  attempts            INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
  next_attempt_ms     INTEGER NOT NULL,
  lease_until_ms      INTEGER,
  provider_message_id TEXT,
  provider_status     TEXT,
  last_error          TEXT,
  dedupe_key          TEXT UNIQUE,
  created_ms          INTEGER NOT NULL,
  updated_ms          INTEGER NOT NULL,
  sent_ms             INTEGER,
  final_ms            INTEGER
);
INSERT INTO messages VALUES(1,'partner:imara',3,'+254700000001','mfi_referral','','{"version":1,"reference":"URMBGT","partner_id":"imara","created_at":1717200000,"member":{"id":3,"name":"Amina Achieng","phone":"+254700000001","language":"en","joined_at":1696464000,"consent_at":1717200000},"group":{"id":1,"name":"Upendo","country":"KE","currency":"KES"},"loan":{"amount_minor":1000000,"currency":"KES","purpose":"bakery","term_months":6},"savings":{"confirmed_count":8,"confirmed_total_minor":425000,"history":[{"at":1715472000,"amount_minor":75000},{"at":1713744000,"amount_minor":50000},{"at":1712016000,"amount_minor":50000},{"at":1710288000,"amount_minor":50000},{"at":1708560000,"amount_minor":50000},{"at":1706832000,"amount_minor":50000},{"at":1705104000,"amount_minor":50000},{"at":1703376000,"amount_minor":50000}]},"training":{"completed":true,"modules":[{"id":"s1-groups","step":1,"completed_at":1717200000},{"id":"s2-business","step":2,"completed_at":1717200000}]}}',0,'gsm7',1,'queued',0,1717200000000,NULL,NULL,NULL,NULL,'referral:1',1717200000000,1717200000000,NULL,NULL);
CREATE TABLE message_events (
  id         INTEGER PRIMARY KEY,
  message_id INTEGER NOT NULL REFERENCES messages(id),
  at_ms      INTEGER NOT NULL,
  event      TEXT NOT NULL,
  detail     TEXT NOT NULL DEFAULT ''
);
INSERT INTO message_events VALUES(1,1,1717200000000,'queued','mfi_referral');
CREATE TABLE inbound_messages (
  id          INTEGER PRIMARY KEY,
  channel     TEXT NOT NULL,
  provider_id TEXT NOT NULL,
  phone       TEXT NOT NULL,
  member_id   INTEGER REFERENCES members(id),
  text        TEXT NOT NULL,
  received_ms INTEGER NOT NULL,
  UNIQUE (channel, provider_id)
);
CREATE TABLE orphan_reports (
  id                  INTEGER PRIMARY KEY,
  channel             TEXT NOT NULL,
  provider_message_id TEXT NOT NULL,
  state               TEXT NOT NULL,
  provider_status     TEXT NOT NULL DEFAULT '',
  reason              TEXT NOT NULL DEFAULT '',
  at_ms               INTEGER NOT NULL
);
CREATE TABLE unregistered_replies (
  phone TEXT NOT NULL,
  day   INTEGER NOT NULL,
  PRIMARY KEY (phone, day)
) WITHOUT ROWID;
CREATE TABLE loans (
  id                      INTEGER PRIMARY KEY,
  reference               TEXT NOT NULL UNIQUE,
  member_id               INTEGER NOT NULL REFERENCES members(id),
  group_id                INTEGER NOT NULL REFERENCES groups(id),
  currency                TEXT NOT NULL CHECK (length(currency) = 3),
  amount                  INTEGER NOT NULL CHECK (amount > 0),
  purpose                 TEXT NOT NULL CHECK (length(purpose) BETWEEN 1 AND 64),
  term_months             INTEGER NOT NULL CHECK (term_months BETWEEN 1 AND 60),
  state                   TEXT NOT NULL DEFAULT 'requested' CHECK (state IN
                            ('requested', 'group_approved', 'referred_to_mfi', 'approved',
                             'disbursed', 'in_arrears', 'repaid', 'declined', 'cancelled',
                             'expired', 'written_off')),
  partner_id              TEXT NOT NULL,
  consent_at              INTEGER NOT NULL,
  group_decided_by        INTEGER REFERENCES members(id),
  group_decided_at        INTEGER,
  referred_at             INTEGER,  -- set when referred to the partner
  approved_amount         INTEGER CHECK (approved_amount > 0),
  approved_term_months    INTEGER CHECK (approved_term_months BETWEEN 1 AND 60),
  interest_rule           TEXT CHECK (interest_rule IN ('flat', 'declining')),
  annual_rate_bp          INTEGER CHECK (annual_rate_bp BETWEEN 0 AND 10000),
  decline_reason          TEXT NOT NULL DEFAULT '',
  disbursed_at            INTEGER,
  disbursement_tx_id      TEXT,
  disbursement_journal_id INTEGER UNIQUE REFERENCES journals(id),
  interest_journal_id     INTEGER UNIQUE REFERENCES journals(id),  -- NULL when no interest
  idempotency_key         TEXT UNIQUE,  -- NULL when the caller gave none
  channel                 TEXT NOT NULL DEFAULT '',
  created_at              INTEGER NOT NULL,
  updated_at              INTEGER NOT NULL,  -- last state change
  CHECK ((approved_amount IS NULL) = (approved_term_months IS NULL)),
  CHECK ((approved_amount IS NULL) = (interest_rule IS NULL)),
  CHECK ((approved_amount IS NULL) = (annual_rate_bp IS NULL)),
  CHECK (approved_amount IS NULL OR approved_amount <= amount),
  -- The terms are fixed before the state that needs them is entered.
  CHECK (approved_amount IS NOT NULL OR state NOT IN
           ('approved', 'disbursed', 'in_arrears', 'repaid', 'written_off')),
  CHECK ((disbursed_at IS NULL) = (disbursement_journal_id IS NULL)),
  CHECK ((disbursed_at IS NULL) = (disbursement_tx_id IS NULL)),
  CHECK (disbursed_at IS NOT NULL OR state NOT IN
           ('disbursed', 'in_arrears', 'repaid', 'written_off')),
  CHECK (interest_journal_id IS NULL OR disbursement_journal_id IS NOT NULL)
);
INSERT INTO loans VALUES(1,'URMBGT',3,1,'KES',1000000,'bakery',6,'disbursed','imara',1717200000,2,1717200000,1717200000,1000000,6,'flat',1800,'',1717200000,'TX-1',56,57,NULL,'ussd',1717200000,1717200000);
CREATE TABLE loan_events (
  id         INTEGER PRIMARY KEY,
  loan_id    INTEGER NOT NULL REFERENCES loans(id),
  event      TEXT NOT NULL,  -- a LoanEventName, or 'request' for the creation
  from_state TEXT,           -- NULL for the creation
  to_state   TEXT NOT NULL,
  actor_kind TEXT NOT NULL CHECK (actor_kind IN ('member', 'staff', 'system', 'partner')),
  actor      TEXT NOT NULL,
  detail     TEXT NOT NULL DEFAULT '',
  at         INTEGER NOT NULL
);
INSERT INTO loan_events VALUES(1,1,'request',NULL,'requested','member','3','amount 1000000 KES purpose bakery term 6 partner imara consent',1717200000);
INSERT INTO loan_events VALUES(2,1,'group_approve','requested','group_approved','member','2','by member 2',1717200000);
INSERT INTO loan_events VALUES(3,1,'refer','group_approved','referred_to_mfi','member','2','partner imara (outbox)',1717200000);
INSERT INTO loan_events VALUES(4,1,'mfi_approve','referred_to_mfi','approved','partner','imara','amount 1000000 term 6 flat 1800bp',1717200000);
INSERT INTO loan_events VALUES(5,1,'disburse','approved','disbursed','partner','imara','transaction TX-1 amount 1000000 interest 90000',1717200000);
CREATE TABLE loan_instalments (
  loan_id   INTEGER NOT NULL REFERENCES loans(id),
  number    INTEGER NOT NULL CHECK (number BETWEEN 1 AND 60),
  due_at    INTEGER NOT NULL,
  principal INTEGER NOT NULL CHECK (principal >= 0),
  interest  INTEGER NOT NULL CHECK (interest >= 0),
  total     INTEGER NOT NULL CHECK (total = principal + interest),
  PRIMARY KEY (loan_id, number)
) WITHOUT ROWID;
INSERT INTO loan_instalments VALUES(1,1,1719792000,166700,15000,181700);
INSERT INTO loan_instalments VALUES(1,2,1722470400,166700,15000,181700);
INSERT INTO loan_instalments VALUES(1,3,1725148800,166700,15000,181700);
INSERT INTO loan_instalments VALUES(1,4,1727740800,166700,15000,181700);
INSERT INTO loan_instalments VALUES(1,5,1730419200,166700,15000,181700);
INSERT INTO loan_instalments VALUES(1,6,1733011200,166500,15000,181500);
CREATE TABLE loan_repayments (
  id              INTEGER PRIMARY KEY,
  loan_id         INTEGER NOT NULL REFERENCES loans(id),
  member_id       INTEGER NOT NULL REFERENCES members(id),
  group_id        INTEGER NOT NULL REFERENCES groups(id),
  amount          INTEGER NOT NULL CHECK (amount > 0),
  currency        TEXT NOT NULL,
  reference       TEXT NOT NULL UNIQUE,
  status          TEXT NOT NULL DEFAULT 'pending'
                  CHECK (status IN ('pending', 'confirmed', 'rejected')),
  source          TEXT NOT NULL CHECK (source IN ('member', 'partner', 'staff')),
  external_id     TEXT,  -- the partner's payment id
  paid_at         INTEGER,  -- when the partner received it
  idempotency_key TEXT UNIQUE,
  channel         TEXT NOT NULL DEFAULT '',
  created_at      INTEGER NOT NULL,
  decided_by      INTEGER REFERENCES members(id),  -- NULL when the partner reported it
  decided_at      INTEGER,
  journal_id      INTEGER UNIQUE REFERENCES journals(id),
  CHECK ((status = 'confirmed') = (journal_id IS NOT NULL)),
  CHECK ((status = 'pending') = (decided_at IS NULL))
);
INSERT INTO loan_repayments VALUES(1,1,3,1,181667,'KES','PEND22','pending','member',NULL,NULL,'key-PEND22','ussd',1717286400,NULL,NULL,NULL);
INSERT INTO loan_repayments VALUES(2,1,3,1,5000,'KES','REJE22','rejected','member',NULL,NULL,'key-REJE22','ussd',1717286400,1,1717286400,NULL);
INSERT INTO loan_repayments VALUES(3,1,3,1,181667,'KES','CONF22','confirmed','member',NULL,NULL,'key-CONF22','ussd',1717200000,1,1717200000,58);
INSERT INTO loan_repayments VALUES(4,1,3,1,181667,'KES','PART22','confirmed','partner','PAY-0',1717286460,NULL,'ussd',1717286460,NULL,1717286460,59);
INSERT INTO loan_repayments VALUES(5,1,3,1,2000,'KES','STAF22','confirmed','staff','CASH-1',1717286400,NULL,'ussd',1717286400,NULL,1717286400,60);
CREATE INDEX members_phone ON members(phone);
CREATE INDEX members_group ON members(group_id);
CREATE UNIQUE INDEX accounts_member_kind ON accounts(member_id, kind)
  WHERE member_id IS NOT NULL;
CREATE UNIQUE INDEX accounts_group_kind ON accounts(group_id, kind)
  WHERE member_id IS NULL AND partner_id IS NULL;
CREATE INDEX accounts_group ON accounts(group_id, kind);
CREATE UNIQUE INDEX accounts_group_partner ON accounts(group_id, partner_id)
  WHERE partner_id IS NOT NULL;
CREATE INDEX postings_journal ON postings(journal_id);
CREATE INDEX postings_account ON postings(account_id);
CREATE INDEX savings_member ON savings(member_id, status);
CREATE INDEX savings_group_pending ON savings(group_id, created_at) WHERE status = 'pending';
CREATE INDEX audit_log_at ON audit_log(at);
CREATE INDEX ussd_sessions_expires ON ussd_sessions(expires_at);
CREATE INDEX messages_due ON messages(channel, next_attempt_ms)
  WHERE status IN ('queued', 'sending');
CREATE INDEX messages_provider_id ON messages(channel, provider_message_id)
  WHERE provider_message_id IS NOT NULL;
CREATE INDEX messages_status ON messages(status, updated_ms);
CREATE INDEX messages_member ON messages(member_id, created_ms);
CREATE INDEX message_events_message ON message_events(message_id);
CREATE INDEX orphan_reports_id ON orphan_reports(channel, provider_message_id);
CREATE INDEX ussd_sessions_member ON ussd_sessions(member_id) WHERE member_id IS NOT NULL;
CREATE UNIQUE INDEX loans_one_open_request ON loans(member_id)
  WHERE state IN ('requested', 'group_approved', 'referred_to_mfi', 'approved');
CREATE INDEX loans_state_updated ON loans(state, updated_at);
CREATE INDEX loans_member ON loans(member_id, id);
CREATE INDEX loans_group_state ON loans(group_id, state);
CREATE INDEX loans_partner_reference ON loans(partner_id, reference);
CREATE INDEX loan_events_loan ON loan_events(loan_id, id);
CREATE UNIQUE INDEX loan_repayments_external ON loan_repayments(loan_id, external_id)
  WHERE external_id IS NOT NULL;
CREATE INDEX loan_repayments_loan ON loan_repayments(loan_id, status);
CREATE INDEX loan_repayments_group_pending ON loan_repayments(group_id, created_at)
  WHERE status = 'pending';
CREATE TRIGGER accounts_fixed BEFORE UPDATE OF id, group_id, member_id, partner_id, kind,
  type, normal, currency ON accounts
BEGIN SELECT RAISE(ABORT, 'accounts: only balance may change'); END;
CREATE TRIGGER accounts_no_delete BEFORE DELETE ON accounts
BEGIN SELECT RAISE(ABORT, 'accounts are never deleted'); END;
CREATE TRIGGER journals_no_update BEFORE UPDATE ON journals
BEGIN SELECT RAISE(ABORT, 'journals are append-only'); END;
CREATE TRIGGER journals_no_delete BEFORE DELETE ON journals
BEGIN SELECT RAISE(ABORT, 'journals are append-only'); END;
CREATE TRIGGER postings_no_update BEFORE UPDATE ON postings
BEGIN SELECT RAISE(ABORT, 'postings are append-only'); END;
CREATE TRIGGER postings_no_delete BEFORE DELETE ON postings
BEGIN SELECT RAISE(ABORT, 'postings are append-only'); END;
CREATE TRIGGER savings_decided_once BEFORE UPDATE OF status ON savings
  WHEN OLD.status <> 'pending'
BEGIN SELECT RAISE(ABORT, 'saving already decided'); END;
CREATE TRIGGER savings_no_delete BEFORE DELETE ON savings
BEGIN SELECT RAISE(ABORT, 'savings are never deleted'); END;
CREATE TRIGGER loans_no_delete BEFORE DELETE ON loans
BEGIN SELECT RAISE(ABORT, 'loans are never deleted'); END;
CREATE TRIGGER loans_request_fixed BEFORE UPDATE OF id, reference, member_id, group_id,
  currency, amount, purpose, term_months, partner_id, consent_at, idempotency_key, channel,
  created_at ON loans
BEGIN SELECT RAISE(ABORT, 'loans: the request is fixed'); END;
CREATE TRIGGER loans_final_state BEFORE UPDATE ON loans
  WHEN OLD.state IN ('repaid', 'declined', 'cancelled', 'expired', 'written_off')
BEGIN SELECT RAISE(ABORT, 'loans: a final state is final'); END;
CREATE TRIGGER loans_disbursement_fixed BEFORE UPDATE OF approved_amount,
  approved_term_months, interest_rule, annual_rate_bp, disbursed_at, disbursement_tx_id,
  disbursement_journal_id, interest_journal_id ON loans
  WHEN OLD.disbursed_at IS NOT NULL
BEGIN SELECT RAISE(ABORT, 'loans: a disbursement is fixed'); END;
CREATE TRIGGER loan_events_no_update BEFORE UPDATE ON loan_events
BEGIN SELECT RAISE(ABORT, 'loan events are append-only'); END;
CREATE TRIGGER loan_events_no_delete BEFORE DELETE ON loan_events
BEGIN SELECT RAISE(ABORT, 'loan events are append-only'); END;
CREATE TRIGGER loan_instalments_no_update BEFORE UPDATE ON loan_instalments
BEGIN SELECT RAISE(ABORT, 'loan instalments are fixed'); END;
CREATE TRIGGER loan_instalments_no_delete BEFORE DELETE ON loan_instalments
BEGIN SELECT RAISE(ABORT, 'loan instalments are fixed'); END;
CREATE TRIGGER loan_repayments_decided_once BEFORE UPDATE OF status ON loan_repayments
  WHEN OLD.status <> 'pending'
BEGIN SELECT RAISE(ABORT, 'repayment already decided'); END;
CREATE TRIGGER loan_repayments_no_delete BEFORE DELETE ON loan_repayments
BEGIN SELECT RAISE(ABORT, 'loan repayments are never deleted'); END;
COMMIT;
