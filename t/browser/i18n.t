#!/usr/bin/perl

# The banner's language in Chromium: lang and dir from Accept-Language,
# Spanish texts, right to left for Arabic and Hebrew. When
# conf/policy.json has no Arabic or Hebrew texts, this test's copy of the
# policy gets a few of its own, so the right-to-left banner is tested
# either way.
# (t/browser/i18n.mjs drives Chromium and prints the assertions;
# t/browser/lib/Consent/Browser.pm starts nginx with the test sites.)

use strict;
use warnings;
use utf8;

use FindBin;
use lib "$FindBin::Bin/../lib", "$FindBin::Bin/lib";

use Test::More;
use Consent::Browser;

my %extra = (
    ar => {
        title        => 'خياراتك بشأن الخصوصية',
        message      => 'نستخدم ملفات تعريف الارتباط التي يحتاجها الموقع ليعمل. '
            . 'وبإذنك نود أيضاً قياس القراءة وعرض الإعلانات. الرفض سهل مثل '
            . 'القبول، ويمكنك تغيير اختيارك في أي وقت.',
        accept_all   => 'قبول الكل',
        reject_all   => 'رفض الكل',
        customise    => 'تخصيص',
        save         => 'حفظ اختياراتي',
        withdraw     => 'سحب الموافقة',
        privacy_link => 'سياسة الخصوصية وملفات تعريف الارتباط',
        manage       => 'إدارة تفضيلات ملفات تعريف الارتباط',
        always_on    => 'مفعّلة دائماً',
    },
    he => {
        title        => 'אפשרויות הפרטיות שלך',
        message      => 'אנו משתמשים בעוגיות שהאתר צריך כדי לפעול. ברשותך נרצה '
            . 'גם למדוד קריאה ולהציג פרסומות. הדחייה קלה כמו ההסכמה, ואפשר '
            . 'לשנות את הבחירה בכל עת.',
        accept_all   => 'קבלת הכול',
        reject_all   => 'דחיית הכול',
        customise    => 'התאמה אישית',
        save         => 'שמירת הבחירות שלי',
        withdraw     => 'ביטול ההסכמה',
        privacy_link => 'מדיניות הפרטיות והעוגיות',
        manage       => 'ניהול העדפות העוגיות',
        always_on    => 'פעילות תמיד',
    },
);

my $b = Consent::Browser->new;
$b->start(policy => { modify => sub {
    my ($p) = @_;
    for my $lang (sort keys %extra) {
        next if $p->{texts}{$lang};
        note("conf/policy.json has no $lang texts: the test adds its own");
        $p->{texts}{$lang} = $extra{$lang};
    }
} });
$b->run_node('i18n.mjs');

done_testing();
