/**
 * The emulator test harness: real Azurite, S3Proxy (SigV4) and ElasticMQ on loopback ports, never SDK mocks.
 *
 * <pre>{@code
 * @ExtendWith(EmulatorExtension.class)
 * class SomeStoreTest {
 *     @Test
 *     void copiesAnObject(Emulators emulators) {            // Emulators.shared(), started once per JVM
 *         String bucket = Emulators.freshName("copy");      // fresh names: tests never share state
 *         emulators.s3Client().createBucket(b -> b.bucket(bucket));
 *         ...
 *     }
 * }
 * }</pre>
 *
 * <ul>
 *   <li>{@link dev.skyferry.testkit.Emulators#shared()} for ordinary tests; {@link dev.skyferry.testkit.Emulators#start()}
 *       (and close) for tests that stop/start an emulator, so they don't disturb the others.</li>
 *   <li>AWS-side tests written against {@link dev.skyferry.testkit.AwsServices} can also run on LocalStack
 *       ({@link dev.skyferry.testkit.LocalStackAws}, {@link dev.skyferry.testkit.RequiresDocker}).</li>
 *   <li>Azurite's output: {@code target/emulator-logs/}. {@code -Dskyferry.emulators.verbose=true} logs
 *       Azurite's access log and the in-JVM emulators at INFO.</li>
 *   <li>Emulator gaps (a real cloud verifies these): Azurite has no Put Blob From URL and Put Block From URL
 *       only from its own blobs; S3Proxy ignores If-None-Match and needs request checksums WHEN_REQUIRED;
 *       ElasticMQ does not check SigV4 signatures.</li>
 * </ul>
 */
package dev.skyferry.testkit;
