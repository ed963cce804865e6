-- tidemark.to_json on hand-made payloads: every message type, and every
-- kind of damage the reader must refuse (with the offset of the damage)
-- rather than misread.  Byte layouts are in decoder/tidemark_protocol.h.
\set VERBOSITY terse
\pset format unaligned

-- begin without origin
SELECT tidemark.to_json('\x420fc8eeac0b0000000000000000de0500');
-- begin with origin; the time is one microsecond before 2000-01-01
SELECT tidemark.to_json('\x421e8580808010ffffffffffffffffffffffff0f01066e6f64655f61ef9baf05');
-- commit
SELECT tidemark.to_json('\x430c0064c801000304728bb9c900');
-- relation: a key column and a column of a user type
SELECT tidemark.to_json('\x522f80800103067075626c69630754626c202278226602070269641701000001659f8d06480b7075626c69632e6d6f6f64');
-- insert with every kind of value
SELECT tidemark.to_json('\x491080800105063100010b00ff12c3a9220a');
-- update with the old key
SELECT tidemark.to_json('\x550b0101020631000206320678');
-- update with the full old row, inside a stream (xid prefix 77)
SELECT tidemark.to_json('\xd50d4d010202063106610206320678');
-- update without an old tuple
SELECT tidemark.to_json('\x550701000206320678');
-- delete under replica identity nothing
SELECT tidemark.to_json('\x44020100');
-- delete with the old key
SELECT tidemark.to_json('\x44050101010637');
-- truncate cascade restart identity of two relations
SELECT tidemark.to_json('\x540403020102');
-- transactional message with text content
SELECT tidemark.to_json('\x4d11010508746964656d61726b0568656c6c6f');
-- non-transactional message with content that is not UTF-8
SELECT tidemark.to_json('\x4d07000501700200c3');
-- a batch: a whole stream of a transaction
SELECT tidemark.to_json('\x530209014500630c0900010200000000000000004102090a');
-- messages of unknown types are skipped, whatever their length
SELECT tidemark.to_json('\x5a03616263da00');
-- an empty payload
SELECT tidemark.to_json('\x');
-- the largest uvar (ten bytes) and the extreme times
SELECT tidemark.to_json('\x431400ffffffffffffffffff0100ff1fe2ffc59c6000430b0000000380e70b913b7fff');
-- a non-minimal uvar is accepted
SELECT tidemark.to_json('\x490481800000');

-- a NULL payload gives NULL
SELECT tidemark.to_json(NULL) IS NULL AS is_null;

-- damaged payloads
\set VERBOSITY default
-- a message type without its length
SELECT tidemark.to_json('\x49');
-- a body shorter than its length says
SELECT tidemark.to_json('\x490601010e6162');
-- a field running past the end of its message
SELECT tidemark.to_json('\x490501011661624500');
-- a uvar of more than 64 bits
SELECT tidemark.to_json('\x490bffffffffffffffffff0200');
-- a uvar of eleven bytes
SELECT tidemark.to_json('\x490c808080808080808080800000');
-- reserved bit in begin flags
SELECT tidemark.to_json('\x420b0100000000000000000102');
-- reserved bit in commit flags
SELECT tidemark.to_json('\x430c0164c8010000000000000000');
-- bytes left over after the fields
SELECT tidemark.to_json('\x4906010106617878');
-- unknown replica identity
SELECT tidemark.to_json('\x52080101016101627800');
-- reserved bit in column flags
SELECT tidemark.to_json('\x520e0101016101626401080163170100');
-- text that is not UTF-8
SELECT tidemark.to_json('\x490501010a61c3');
-- text with a NUL byte
SELECT tidemark.to_json('\x490601010e610062');
-- a prefix with a NUL byte
SELECT tidemark.to_json('\x4d0700010261000178');
-- a value longer than TM_MAX_VALUE_LENGTH
SELECT tidemark.to_json('\x490701018280808020');
-- a column count larger than the bytes left
SELECT tidemark.to_json('\x490701808080808020');
-- a NULL value header with a length
SELECT tidemark.to_json('\x4903010104');
-- old tuple flags claiming both key and full
SELECT tidemark.to_json('\x4403010300');
-- an xid prefix on a begin
SELECT tidemark.to_json('\xc20c010100000000000000000100');
-- an error in the second message of a batch
SELECT tidemark.to_json('\x4500450178');
-- a commit time after 9999-12-31
SELECT tidemark.to_json('\x430b0001020380e70b913b8000');
-- a commit time of -infinity
SELECT tidemark.to_json('\x430b0001028000000000000000');

-- the two SQLSTATEs: framing and structure, then impossible contents
DO $$
BEGIN
	PERFORM tidemark.to_json('\x4901');
EXCEPTION WHEN invalid_binary_representation THEN
	RAISE NOTICE 'truncation: %', SQLSTATE;
END
$$;
DO $$
BEGIN
	PERFORM tidemark.to_json('\x490601010e610062');
EXCEPTION WHEN data_corrupted THEN
	RAISE NOTICE 'NUL in text: %', SQLSTATE;
END
$$;
