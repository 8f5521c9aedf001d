package dev.skyferry.testkit;

/** The AWS smoke tests against S3Proxy (SigV4) and ElasticMQ from the shared emulator set. */
class EmulatedAwsSmokeTest extends AwsSmokeContract {

    @Override
    protected AwsServices aws() {
        return Emulators.shared();
    }
}
