-- Devices are the employee's credential in the morning (contract, "Devices are
-- the employee's credential in the morning"; docs/security.md, "A stolen phone").
--
-- A device sign-in (POST /v1/auth/device) is a payload the device signed,
-- {"device_id", "purpose": "sign-in", "signed_at", "nonce"}: each nonce is good
-- once per device, for ever, so that a sign-in seen once (a proxy's log, a
-- screenshot of a debug console) cannot be played again even within its 5
-- minutes. The row is written only after the signature verified, so nobody but
-- the key's holder can use up a device's nonces.
CREATE TABLE device_sign_ins (
    device_id bigint NOT NULL REFERENCES devices (id),
    nonce text NOT NULL,
    signed_at timestamptz NOT NULL,
    at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (device_id, nonce)
);
