//! An account as the RAM, Resource Manager and Resource Directory APIs describe it (the JSON
//! the aliyun CLI prints, collected by `scripts/export-account.sh`), turned into an account
//! file.
