/*
 * Security identifiers: binary (objectSid as LDAP returns it) to the text
 * form S-1-5-21-A-B-C-RID, and helpers on the text form.
 */
#ifndef PRIVAUDIT_SID_H
#define PRIVAUDIT_SID_H

#include <stddef.h>
#include <stdint.h>

#define SID_TEXT_MAX 192

/* Binary SID to text in buf (SID_TEXT_MAX bytes). -1 if malformed. */
int sid_to_text(const unsigned char *bin, size_t len, char *buf, size_t size);

/*
 * The domain part of the last SID converted with it: a directory's SIDs
 * are nearly all of one domain, read one after the other, and then only
 * their RIDs need converting. Zeroed, it holds none.
 */
struct sid_cache {
	unsigned char bin[8 + 4 * 15];
	size_t bin_len;          /* of the SID less its RID; 0: none kept */
	char text[SID_TEXT_MAX];
	size_t text_len;         /* of text, up to the '-' before the RID */
};

/* sid_to_text(), with the domain part of the text taken from c when it is c's. */
int sid_to_text_cached(struct sid_cache *c, const unsigned char *bin, size_t len, char *buf,
		       size_t size);
/* Whether s is a well-formed text SID ("S-1-..."). */
int sid_is_text(const char *s);
/* The last sub-authority (the RID) of a text SID; 0 if none. */
uint32_t sid_rid(const char *sid);
/*
 * Length of the domain part of a text SID (everything before "-RID"), or 0
 * when the SID has no RID.
 */
size_t sid_domain_len(const char *sid);
/* Both at once: the length of the domain part, and the RID in *rid. */
size_t sid_split(const char *sid, uint32_t *rid);
/*
 * The RID of text SID sid when it is one of domain SID domain's (domain,
 * then one sub-authority), else 0 (and 0 when either is NULL).
 */
uint32_t sid_rid_in(const char *sid, const char *domain);

#endif
